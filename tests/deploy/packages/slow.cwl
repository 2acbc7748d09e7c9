cwlVersion: v1.2
class: CommandLineTool
id: slow
label: Slow
doc: Starts a child process, writes both process ids to a file, and waits.
baseCommand: [python3, -c]
arguments:
  - |
    import os, subprocess, sys
    child = subprocess.Popen(["sleep", "300"])
    with open(sys.argv[1] + ".partial", "w") as out:
        out.write(f"{os.getpid()} {child.pid}")
    os.replace(sys.argv[1] + ".partial", sys.argv[1])
    child.wait()
inputs:
  pidfile:
    type: string
    inputBinding: {position: 1}
outputs: {}
