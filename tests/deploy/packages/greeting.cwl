cwlVersion: v1.2
class: CommandLineTool
id: greeting
label: Greeting VERSION
baseCommand: [python3, -c]
arguments:
  - "import sys; print('VERSION says hello to ' + sys.argv[1])"
stdout: greeting.txt
inputs:
  name: {type: string, default: world, inputBinding: {position: 1}}
outputs:
  text:
    type: string
    outputBinding:
      glob: greeting.txt
      loadContents: true
      outputEval: $(self[0].contents)
