#!/usr/bin/env bash
# The benchmarks' instant analyzer: writes a course of <documents> files (3 YAML steps, then chapters) with bash
# builtins only (no process forks), optionally prints <stdoutMiB> MiB to stdout first, and records its own start
# and end (epoch microseconds) in <timingDir>/<jobId>, so that the worker's overhead can be told from its run time.
# Usage: bench-analyzer.sh <outputDir> <prompt> <jobId>, where the prompt is "<timingDir> <documents> [stdoutMiB]".
set -u
start=${EPOCHREALTIME/./}
out="$1"
read -r timing documents stdout_mib <<< "$2"
job="$3"
if [ -n "${stdout_mib:-}" ] && [ "$stdout_mib" -gt 0 ]; then
  # 1 MiB of 128-byte lines, written stdout_mib times: the worker must stream it, not keep it.
  line=$(printf '%0127d' 0)
  block=""
  for ((i = 0; i < 8192; i++)); do block+="$line"$'\n'; done
  for ((i = 0; i < stdout_mib; i++)); do printf '%s' "$block"; done
fi
printf '{"level":"info","time":0,"context":"analyze","msg":"[FONDATION_STEP_1/6] Extracting core abstractions from codebase"}\n'
mkdir -p "$out/chapters"
chapters=$((documents - 3))
{
  for ((i = 1; i <= chapters; i++)); do
    printf -- '- name: Topic %d\n  description: Part %d of the program\n  file_paths: [README.md]\n' "$i" "$i"
  done
} > "$out/step1_abstractions.yaml"
printf 'summary: Every topic stands alone.\nrelationships: []\n' > "$out/step2_relationships.yaml"
{
  printf 'order:\n'
  for ((i = 0; i < chapters; i++)); do
    printf '  - index: %d\n    name: Topic %d\n    reasoning: In order\n' "$i" "$((i + 1))"
  done
} > "$out/step3_order.yaml"
for ((i = 1; i <= chapters; i++)); do
  printf '# Chapter %d: Topic %d\n\nWhat part %d of the program does, and why.\n' "$i" "$i" "$i" \
    > "$out/chapters/chapter_${i}_topic-${i}.md"
done
printf '{"level":"info","time":0,"context":"analyze","msg":"[FONDATION_STEP_6/6] Generating interactive tutorials"}\n'
end=${EPOCHREALTIME/./}
[ -n "$timing" ] && [ "$timing" != "-" ] && printf '%s %s\n' "$start" "$end" >> "$timing/$job"
exit 0
