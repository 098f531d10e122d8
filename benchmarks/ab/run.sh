#!/bin/bash
# Same-JVM A/B of benchmark jars (issue 12): each jar in a class loader of its own, their blocks of
# round trips alternated in one process, so that the machine's modes (the speed of a cache line
# between the two cores, which changes from process to process and minute to minute on this VM) hit
# both alike; reports the median ratio of adjacent blocks.
#   benchmarks/ab/run.sh PAIRS ROUNDTRIPS Driver@jar Driver@jar ...
# Drivers: PPDriver (busy ping-pong: a spinning loop echoes, the caller spins on receiveMessage()),
# RawDriver (the same with two raw JCTools queues), OneWayDriver (bursts of 100 posts to a loop),
# AskDriver and PostsDriver (AskRoundTrip's ask and posts rows, bursts of 1000 rounds; AB_JAVA_OPTS=
# "-Dab.oneLoop=true" puts both sides on one loop, "-Dab.cpu=true" measures loop A's CPU time per round
# instead of the wall clock: with one loop, the CPU of a round, which the machine's modes move little).
# The first argument after ROUNDTRIPS is the baseline of every ratio. Example:
#   benchmarks/ab/run.sh 16 100000 PPDriver@base.jar PPDriver@benchmarks/target/benchmarks.jar RawDriver@base.jar
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${AB_OUT:-$here/../target/ab}
mkdir -p "$out/drivers" "$out/harness"
first_jar=${3#*@}
javac -d "$out/drivers" -cp "$first_jar" "$here"/PPDriver.java "$here"/RawDriver.java "$here"/OneWayDriver.java "$here"/AskDriver.java "$here"/PostsDriver.java
javac -d "$out/harness" "$here"/AB.java
exec java ${AB_JAVA_OPTS:-} -Dab.drivers="$out/drivers/" -cp "$out/harness" AB "$@"
