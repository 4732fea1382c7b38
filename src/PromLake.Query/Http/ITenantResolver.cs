using Microsoft.AspNetCore.Http;

namespace PromLake.Query.Http;

/// <summary>
/// Authenticates the tenant of a query request; the host provides it (the write path's credentials).
/// Every endpoint reads only the resolved tenant's data, so one tenant never sees another's series.
/// </summary>
public interface ITenantResolver
{
    /// <summary>The tenant id the request authenticates, or null (answered 401).</summary>
    ValueTask<string?> ResolveTenantAsync(HttpContext context);

    /// <summary>The <c>WWW-Authenticate</c> challenges sent with a 401.</summary>
    IReadOnlyList<string> Challenges => DefaultChallenges;

    public static readonly IReadOnlyList<string> DefaultChallenges = ["Basic realm=\"PromLake\"", "Bearer realm=\"PromLake\""];
}

/// <summary>Builds an <see cref="ITenantResolver"/> from a delegate.</summary>
public static class TenantResolver
{
    public static ITenantResolver From(Func<HttpContext, string?> resolve) => new DelegateResolver(resolve);

    private sealed class DelegateResolver(Func<HttpContext, string?> resolve) : ITenantResolver
    {
        public ValueTask<string?> ResolveTenantAsync(HttpContext context) => ValueTask.FromResult(resolve(context));
    }
}
