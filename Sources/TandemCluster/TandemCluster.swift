/// Cluster role: epoch, promote/demote hooks, monitor and status.
public enum TandemClusterModule {}
