cwlVersion: v1.2
class: CommandLineTool
id: stats
label: Statistics of numbers
doc: Reads numbers (one a line) and writes their count, mean, minimum and maximum.
$namespaces:
  iana: "http://www.iana.org/assignments/media-types/"
baseCommand: [python3, -c]
arguments:
  - |
    import json, sys
    values = [float(line) for line in open(sys.argv[1]) if line.strip()]
    digits = int(sys.argv[2])
    mean = round(sum(values) / len(values), digits)
    summary = {"count": len(values), "mean": mean, "min": min(values), "max": max(values)}
    json.dump(summary, open("summary.json", "w"))
    open("mean.txt", "w").write(str(mean))
inputs:
  numbers:
    type: File
    label: Numbers
    doc: A text file of numbers, one a line.
    inputBinding: {position: 1}
  precision:
    type: int
    default: 3
    doc: Digits of the mean.
    inputBinding: {position: 2}
outputs:
  summary:
    type: File
    format: iana:application/json
    outputBinding: {glob: summary.json}
  mean:
    type: string
    outputBinding:
      glob: mean.txt
      loadContents: true
      outputEval: $(self[0].contents)
