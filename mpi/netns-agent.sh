#!/bin/sh
# Open MPI's "remote shell" for the two-host test (plm_rsh_agent): mpirun calls
# `netns-agent.sh HOST COMMAND...` to start its daemon on HOST; HOST is a network namespace
# here (kt-h1, kt-h2), entered with its own hostname (a UTS namespace) as a real host has.
host=$1; shift
exec ip netns exec "$host" unshare --uts /bin/sh -c "hostname $host; $*"
