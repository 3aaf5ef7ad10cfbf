namespace TrustedCompute.Service;

/// <summary>What the handlers share: the options, the read-only store view and the request metrics.</summary>
public sealed class ServiceState(ServiceOptions options, TrustReader reader)
{
    public ServiceOptions Options { get; } = options;
    public TrustReader Reader { get; } = reader;
    public ServiceMetrics Metrics { get; } = new();
}
