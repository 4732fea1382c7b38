using System.Text;
using PromLake.Ingest.Limits;

namespace PromLake.Ingest.Tenancy;

/// <summary>An authenticated tenant with its limits and rate limiter, resolved once at start-up.</summary>
public sealed class Tenant
{
    public Tenant(string id, TenantLimits limits)
    {
        Id = id;
        IdUtf8 = Encoding.UTF8.GetBytes(id);
        Limits = limits;
        RateLimiter = new IngestionRateLimiter(limits.IngestionRate, limits.IngestionBurstSize);
    }

    public string Id { get; }

    /// <summary>The id's bytes, which go into every shard hash.</summary>
    public byte[] IdUtf8 { get; }

    public TenantLimits Limits { get; }

    public IngestionRateLimiter RateLimiter { get; }

    public override string ToString() => Id;
}
