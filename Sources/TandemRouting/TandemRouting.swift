/// Routing: rules, study stability and the durable delivery queue.
public enum TandemRoutingModule {}
