namespace PromLake.Query.Http;

/// <summary>One metadata entry of a metric family, as <c>/api/v1/metadata</c> returns it.</summary>
public sealed record MetricMetadata(string MetricFamily, string Type, string Help, string Unit);

/// <summary>Metric metadata (TYPE, HELP, UNIT) of one tenant, as remote write delivers it.</summary>
public interface IMetadataQuerier
{
    /// <summary>The entries of <paramref name="metric"/>, or of every metric family when it is null.</summary>
    ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string? metric, CancellationToken cancellationToken = default);
}

/// <summary>
/// Optional: metadata per tenant. Without one registered, <c>/api/v1/metadata</c> answers an empty object,
/// as a Prometheus without targets does.
/// </summary>
public interface ITenantMetadataSource
{
    IMetadataQuerier ForTenant(string tenantId);
}

/// <summary>Metadata kept in memory per tenant: for tests and for a host that has no metadata store yet.</summary>
public sealed class InMemoryMetadataStore : ITenantMetadataSource
{
    private readonly Dictionary<string, List<MetricMetadata>> _byTenant = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Records an entry; an identical entry for the same tenant is kept once.</summary>
    public void Add(string tenantId, string metricFamily, string type, string help, string unit = "")
    {
        var entry = new MetricMetadata(metricFamily, type, help, unit);
        lock (_lock)
        {
            if (!_byTenant.TryGetValue(tenantId, out var list))
            {
                list = [];
                _byTenant[tenantId] = list;
            }

            if (!list.Contains(entry))
            {
                list.Add(entry);
            }
        }
    }

    public IMetadataQuerier ForTenant(string tenantId) => new TenantView(this, tenantId);

    private sealed class TenantView(InMemoryMetadataStore store, string tenantId) : IMetadataQuerier
    {
        public ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string? metric, CancellationToken cancellationToken = default)
        {
            lock (store._lock)
            {
                if (!store._byTenant.TryGetValue(tenantId, out var list))
                {
                    return ValueTask.FromResult<IReadOnlyList<MetricMetadata>>([]);
                }

                var result = metric is null ? [.. list] : list.FindAll(m => m.MetricFamily == metric);
                return ValueTask.FromResult<IReadOnlyList<MetricMetadata>>(result);
            }
        }
    }
}
