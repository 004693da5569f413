#!/usr/bin/env bash
# A stand-in for the Fondation CLI used by the worker's end-to-end tests.
# Usage: test-analyzer.sh <repo> <outputDir> <prompt> <jobId>
# The prompt picks the behaviour:
#   ""                  succeed: print the six progress lines, write the full output layout
#   "fail <text>"       print "Analysis failed", write <text> to stderr, exit 1
#   "partial"           write steps 1-3, then fail at step 4 (exit 1)
#   "block <pidfile>"   write the process id to <pidfile>, print step 2, then wait until killed (when
#                       <pidfile> already holds an id, from an earlier attempt, succeed instead)
#   "stubborn <pidfile>" like block, but ignore SIGTERM and SIGPIPE and keep a child process too (the
#                        child's id is written to <pidfile>.child): only SIGKILL of the whole tree ends it
#   "wait-for <file>"   print steps 1 and 2, wait until <file> exists, then succeed
#   "credential <file>" while <file> exists, fail the way Claude Code does with an expired OAuth token
set -u
repo="$1"
out="$2"
prompt="${3:-}"
mode="${prompt%% *}"
arg="${prompt#* }"

# why: builtins only (printf's %(...)T, no date, cat or other child per line), so that thousands of runs in the
# cluster test cost the machine little.
step() {
  printf '{"level":"info","time":%(%s)T000,"context":"analyze","msg":"[FONDATION_STEP_%s/6] %s"}\n' -1 "$1" "$2"
}

write_steps() {
  mkdir -p "$out/chapters" "$out/reviewed-chapters" "$out/tutorials"
  printf '%s' '- name: Entry point
  description: Where the program starts
  file_paths: [src/main.py]
- name: Helpers
  description: Small utilities
  file_paths: [src/util.py]
' > "$out/step1_abstractions.yaml"
  printf '%s' 'summary: The entry point calls the helpers.
relationships:
  - from_abstraction: 0
    to_abstraction: 1
    label: calls
    evidence: main() uses helper()
' > "$out/step2_relationships.yaml"
  printf '%s' 'order:
  - index: 0
    name: Entry point
    reasoning: Start where the program starts
  - index: 1
    name: Helpers
    reasoning: Then what it uses
' > "$out/step3_order.yaml"
}

step 1 "Extracting core abstractions from codebase"
case "$mode" in
  fail)
    echo '{"level":"error","msg":"Analysis failed"}'
    echo "Error: $arg" >&2
    exit 1
    ;;
  block)
    # A later attempt (the file is there) runs to success: only the first one blocks.
    if [ -s "$arg" ]; then mode=again; else
    echo $$ > "$arg"
    step 2 "Analyzing relationships between components"
    exec sleep 600
    fi
    ;;
  stubborn)
    if [ -s "$arg" ]; then mode=again; else
    trap '' TERM PIPE HUP INT
    ( trap '' TERM PIPE HUP INT; while true; do sleep 1; done ) &
    echo $! > "$arg.child"
    echo $$ > "$arg"
    step 2 "Analyzing relationships between components"
    # why: writes rarely, as the real CLI does between steps; never dies of a closed pipe.
    while true; do sleep 1; done
    fi
    ;;
  wait-for)
    step 2 "Analyzing relationships between components"
    while [ ! -e "$arg" ]; do sleep 0.1; done
    ;;
  credential)
    if [ -e "$arg" ]; then
      echo '{"type":"result","subtype":"success","is_error":true,"result":"OAuth token has expired. Please obtain a new token or refresh your existing token.","api_error_status":401,"terminal_reason":"api_error","num_turns":1,"session_id":"test-session"}'
      exit 1
    fi
    ;;
esac

if [ ! -f "$repo/src/main.py" ]; then
  echo "Error: the repository was not checked out at $repo" >&2
  exit 3
fi
write_steps
step 2 "Analyzing relationships between components"
step 3 "Determining optimal chapter order"
step 4 "Generating chapter content"
if [ "$mode" = "partial" ]; then
  echo '{"level":"error","msg":"Analysis failed"}'
  echo "Error: chapter generation crashed" >&2
  exit 1
fi
for i in 1 2 10; do
  printf '# Chapter %s: Topic %s\n\nText of chapter %s.\n' "$i" "$i" "$i" > "$out/chapters/chapter_${i}_topic-$i.md"
done
step 5 "Reviewing and enhancing chapters"
for i in 1 2 10; do
  printf '# Chapter %s: Topic %s (reviewed)\n\nBetter text of chapter %s.\n' "$i" "$i" "$i" > "$out/reviewed-chapters/chapter_${i}_topic-$i.md"
done
step 6 "Generating interactive tutorials"
printf '# Interactive Tutorial: Getting started\n\nTry it.\n' > "$out/tutorials/tutorial_1_getting-started.md"
# The final line of a headless Claude Code run (stream-json), with its cost and token usage.
echo '{"type":"result","subtype":"success","is_error":false,"duration_ms":1000,"num_turns":3,"total_cost_usd":0.25,"usage":{"input_tokens":1200,"output_tokens":340},"session_id":"test-session"}'
exit 0
