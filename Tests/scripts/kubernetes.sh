#!/usr/bin/env bash
# Checks docs/scale/kubernetes.yaml as far as can be done without a cluster: it parses, its
# first Job is Indexed with completions = parallelism = the N of --shard auto/N, names an
# image and the index variable, and its second Job merges exactly shards 1 ... N after
# waiting for the first. CI runs it (.ci/run); it needs Python's yaml (python3-yaml).
set -euo pipefail
cd "$(dirname "$0")/../.."
/usr/bin/python3 - docs/scale/kubernetes.yaml <<'PY'
import re, sys, yaml
verify, merge = list(yaml.safe_load_all(open(sys.argv[1])))
def fail(why):
    sys.exit(f"kubernetes.sh: FAILED: {why}")
spec = verify["spec"]
if verify["kind"] != "Job" or spec.get("completionMode") != "Indexed":
    fail("the first document is not an Indexed Job")
container = spec["template"]["spec"]["containers"][0]
command = " ".join(container.get("command", []) + container.get("args", []))
shards = re.search(r"--shard auto/(\d+)", command)
if not shards:
    fail("the shards do not run snapcheck verify --shard auto/N")
count = int(shards.group(1))
if spec.get("completions") != count or spec.get("parallelism") != count:
    fail(f"completions and parallelism are not {count}")
if "JOB_COMPLETION_INDEX" not in command or not container.get("image"):
    fail("a shard names no image or does not use JOB_COMPLETION_INDEX")
if "snapcheck verify" not in command:
    fail("a shard does not run snapcheck verify")
if merge["kind"] != "Job":
    fail("the second document is not a Job")
pod = merge["spec"]["template"]["spec"]
if not any("job/" + verify["metadata"]["name"] in " ".join(c["command"]) for c in pod.get("initContainers", [])):
    fail("the merge does not wait for the verification Job")
merge_command = pod["containers"][0]["command"]
reports = [argument for argument in merge_command if argument.endswith(".jsonl")]
if merge_command[:2] != ["snapcheck", "merge"] or reports != [f"/reports/shard-{k}.jsonl" for k in range(1, count + 1)]:
    fail(f"the merge does not merge exactly shards 1 ... {count}")
print(f"kubernetes.sh: passed: an Indexed Job of {count} shards and its merge")
PY
