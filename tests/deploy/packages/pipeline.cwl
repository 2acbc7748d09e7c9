cwlVersion: v1.2
class: Workflow
id: pipeline
label: Keep, then summarise
doc: Keeps the numbers above a threshold, then computes their statistics.
$namespaces:
  iana: "http://www.iana.org/assignments/media-types/"
inputs:
  numbers: File
  threshold:
    type: float
    default: 0.0
outputs:
  kept:
    type: File
    outputSource: keep/kept
  summary:
    type: File
    outputSource: summarise/summary
steps:
  keep:
    run:
      class: CommandLineTool
      baseCommand: [python3, -c]
      arguments:
        - |
          import sys, time
          time.sleep(1.5)
          limit = float(sys.argv[2])
          kept = [line for line in open(sys.argv[1]) if line.strip() and float(line) > limit]
          open("kept.txt", "w").writelines(kept)
      inputs:
        numbers: {type: File, inputBinding: {position: 1}}
        threshold: {type: float, inputBinding: {position: 2}}
      outputs:
        kept: {type: File, outputBinding: {glob: kept.txt}}
    in: {numbers: numbers, threshold: threshold}
    out: [kept]
  summarise:
    run:
      class: CommandLineTool
      baseCommand: [python3, -c]
      arguments:
        - |
          import json, sys, time
          time.sleep(1.5)
          values = [float(line) for line in open(sys.argv[1]) if line.strip()]
          json.dump({"count": len(values), "sum": sum(values)}, open("summary.json", "w"))
      inputs:
        numbers: {type: File, inputBinding: {position: 1}}
      outputs:
        summary: {type: File, format: "iana:application/json", outputBinding: {glob: summary.json}}
    in: {numbers: keep/kept}
    out: [summary]
