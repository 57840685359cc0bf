# Sourced by the perf scripts: with PAUSE_PAGE_REPORTING=1, keeps this VM's balloon from
# reporting freed memory to the host for the length of the run, and restores the setting at exit
# (call restore_page_reporting from the script's EXIT trap).
#
# Why: the balloon device reports free guest memory to the host (free page reporting, this
# kernel's /sys/module/page_reporting), and the host takes it back. Whatever process next takes
# such memory pays a host fault on the first touch of each page: a 1 GiB write into fresh
# page-cache pages then runs at 0.5-0.9 GB/s instead of 5-9 (perf/engine.md, session 7), in
# whichever runs happen to meet it. Paused, memory freed by one run is still warm for the next,
# for both sides of a comparison alike. Memory left free longer than 60 s is still reported, and
# most free memory is that old: warm_free_memory touches some just before a run.
# Needs root; refuses to run otherwise.
page_reporting_param=/sys/module/page_reporting/parameters/min_free_ms
saved_page_reporting=""
pause_page_reporting() {
  [[ ${PAUSE_PAGE_REPORTING:-0} == 1 ]] || return 0
  [[ -w $page_reporting_param ]] || { echo "PAUSE_PAGE_REPORTING=1: $page_reporting_param is not writable here" >&2; exit 1; }
  saved_page_reporting=$(cat "$page_reporting_param")
  # Memory must stay free 60 s before it is reported (the kernel refuses 600 s).
  echo 60000 > "$page_reporting_param"
  echo "free page reporting paused for this run (min_free_ms 60000, was $saved_page_reporting)"
}
restore_page_reporting() {
  [[ -n $saved_page_reporting ]] && echo "$saved_page_reporting" > "$page_reporting_param"
  return 0
}
# warm_free_memory TOOL MIB: while the reporting is paused, touch MIB MiB and free it again
# (TOOL is perf/tools/warm_memory.c built), so the run that follows takes memory the host backs.
warm_free_memory() {
  [[ -n $saved_page_reporting && $2 -gt 0 ]] && "$1" "$2"
  return 0
}
