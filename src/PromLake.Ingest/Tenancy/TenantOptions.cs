using PromLake.Ingest.Limits;

namespace PromLake.Ingest.Tenancy;

/// <summary>
/// Configuration section <c>PromLake:Tenants:&lt;tenant id&gt;</c>: how a tenant
/// authenticates and, optionally, limits that differ from the defaults.
/// </summary>
public sealed class TenantOptions
{
    public List<CredentialOptions> Credentials { get; set; } = [];

    /// <summary>Overrides of <c>PromLake:Limits</c> for this tenant; unset values keep the default.</summary>
    public TenantLimits? Limits { get; set; }
}

/// <summary>One way to authenticate as a tenant.</summary>
public sealed class CredentialOptions
{
    /// <summary><c>basic</c> (Prometheus basic_auth) or <c>bearer</c> (Prometheus authorization).</summary>
    public string Type { get; set; } = "";

    /// <summary>Basic only: the user name.</summary>
    public string? Username { get; set; }

    /// <summary>Bearer only: the token's public identifier (the part after <c>plk_</c>).</summary>
    public string? Id { get; set; }

    /// <summary>The secret's salted hash (see <see cref="SecretHash"/>); never the secret itself.</summary>
    public string SecretHash { get; set; } = "";
}
