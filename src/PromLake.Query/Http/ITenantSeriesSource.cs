using PromLake.Query.Storage;

namespace PromLake.Query.Http;

/// <summary>
/// The host's storage, per tenant: every query of a request goes through the querier of the request's
/// tenant and nothing else, which is what keeps tenants apart. A tenant without data gets an empty querier.
/// </summary>
public interface ITenantSeriesSource
{
    ISeriesQuerier ForTenant(string tenantId);
}

/// <summary>Builds an <see cref="ITenantSeriesSource"/> from a delegate.</summary>
public static class TenantSeriesSource
{
    public static ITenantSeriesSource From(Func<string, ISeriesQuerier> forTenant) => new DelegateSource(forTenant);

    private sealed class DelegateSource(Func<string, ISeriesQuerier> forTenant) : ITenantSeriesSource
    {
        public ISeriesQuerier ForTenant(string tenantId) => forTenant(tenantId);
    }
}
