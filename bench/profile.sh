#!/usr/bin/env bash
# Profile minova under load with py-spy (see bench/profile.py); installs the
# tools like run.sh. Result: bench/results/profile/summary.md (+ raw stacks).
#   bench/profile.sh [--stack compute] [--endpoint 'GET /'] [--seconds 10]
exec "$(dirname "$0")/run.sh" profile "$@"
