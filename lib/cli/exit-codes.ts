/** What `havip-cluster` exits with. */
export const EXIT_FAILURE = 1; // a step failed on a node, or failover-test failed
export const EXIT_BAD_INPUT = 2; // bad spec, file or option: nothing was changed
export const EXIT_NOT_HEALTHY = 3; // status: the pair is not healthy (clusterHealth): a node down, not MASTER or BACKUP, not exactly one VIP holder, or the cloud disagrees
