# Shared by the CI scripts (sourced, not run): build settings and the figures file.
#   MCQGEN_JOBS          build and test parallelism (default 2)
#   MCQGEN_CMAKE_ARGS    extra configure arguments
#   MCQGEN_RELIABILITY_REPORT
#                        where figures go (appended); unset: a fresh build-reports/$1.txt
# Sets: jobs, extra_args, report.

jobs=${MCQGEN_JOBS:-2}
read -r -a extra_args <<<"${MCQGEN_CMAKE_ARGS:-}"
if [ -n "${MCQGEN_RELIABILITY_REPORT:-}" ]; then
    report=$MCQGEN_RELIABILITY_REPORT
else
    mkdir -p build-reports
    report=$PWD/build-reports/$1.txt
    : >"$report"
fi
