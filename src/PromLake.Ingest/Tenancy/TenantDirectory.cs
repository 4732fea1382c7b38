using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using PromLake.Ingest.Limits;

namespace PromLake.Ingest.Tenancy;

/// <summary>
/// The tenants from configuration and the credentials that authenticate them.
/// The tenant always comes from the credential, never from a header the sender
/// chooses. Secrets are checked with a slow salted hash in constant time; a
/// successful check is remembered under an HMAC of the presented header (with
/// a key that lives only in this process), so steady-state requests cost one
/// HMAC rather than one PBKDF2, and no secret is held in memory.
/// </summary>
public sealed class TenantDirectory
{
    /// <summary>The documented development credential, refused outside Development.</summary>
    public const string DevelopmentUser = "dev";
    public const string DevelopmentPassword = "dev";

    private const int MaxCachedCredentials = 10_000;

    private readonly Dictionary<string, List<(ParsedSecretHash Hash, Tenant Tenant)>> _basic = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ParsedSecretHash Hash, Tenant Tenant)> _bearer = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Tenant> _verified = new(StringComparer.Ordinal);
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ParsedSecretHash _decoy = SecretHash.Parse(SecretHash.Create("decoy"));

    public TenantDirectory(IReadOnlyDictionary<string, TenantOptions> tenants, TenantLimits defaults)
    {
        defaults.Validate("PromLake:Limits");
        Defaults = defaults;
        foreach (var (id, options) in tenants)
        {
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new InvalidOperationException("PromLake:Tenants has a tenant with an empty id");
            }

            var limits = Merge(defaults, options.Limits);
            limits.Validate($"PromLake:Tenants:{id}:Limits");
            var tenant = new Tenant(id, limits);
            Tenants.Add(id, tenant);
            if (options.Credentials.Count == 0)
            {
                throw new InvalidOperationException($"PromLake:Tenants:{id} has no credentials; add one with `credential create`");
            }

            for (var i = 0; i < options.Credentials.Count; i++)
            {
                AddCredential(tenant, options.Credentials[i], $"PromLake:Tenants:{id}:Credentials:{i}");
            }
        }
    }

    public Dictionary<string, Tenant> Tenants { get; } = new(StringComparer.Ordinal);

    /// <summary>The limits of tenants that set none of their own (<c>PromLake:Limits</c>), validated.</summary>
    public TenantLimits Defaults { get; }

    /// <summary>Reads <c>PromLake:Tenants</c> and <c>PromLake:Limits</c>.</summary>
    public static TenantDirectory FromConfiguration(IConfiguration configuration)
    {
        var defaults = new TenantLimits();
        configuration.GetSection("PromLake:Limits").Bind(defaults);
        var tenants = new Dictionary<string, TenantOptions>(StringComparer.Ordinal);
        foreach (var section in configuration.GetSection("PromLake:Tenants").GetChildren())
        {
            var options = new TenantOptions();
            section.Bind(options);
            var limitsSection = section.GetSection("Limits");
            if (limitsSection.Exists())
            {
                // Overrides start from the defaults, so a tenant names only what differs.
                options.Limits = defaults.Clone();
                limitsSection.Bind(options.Limits);
            }

            tenants[section.Key] = options;
        }

        return new TenantDirectory(tenants, defaults);
    }

    /// <summary>True when some tenant accepts the documented dev / dev Basic credential.</summary>
    public bool AcceptsDevelopmentCredential() =>
        _basic.TryGetValue(DevelopmentUser, out var candidates)
        && candidates.Exists(c => c.Hash.Verify(Encoding.UTF8.GetBytes(DevelopmentPassword)));

    /// <summary>The tenant an Authorization header authenticates, or null.</summary>
    public Tenant? Authenticate(string? authorization)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return null;
        }

        var key = CacheKey(authorization);
        if (_verified.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var tenant = Verify(authorization);
        if (tenant is not null)
        {
            if (_verified.Count >= MaxCachedCredentials)
            {
                _verified.Clear();
            }

            _verified[key] = tenant;
        }

        return tenant;
    }

    private Tenant? Verify(string authorization)
    {
        if (!AuthenticationHeaderValue.TryParse(authorization, out var header) || header.Parameter is null)
        {
            return null;
        }

        if (header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            }
            catch (FormatException)
            {
                return null;
            }

            var colon = decoded.IndexOf(':');
            if (colon < 0)
            {
                return null;
            }

            var user = decoded[..colon];
            var password = Encoding.UTF8.GetBytes(decoded[(colon + 1)..]);
            if (!_basic.TryGetValue(user, out var candidates))
            {
                // Spend the same time as a real check so that timing does not reveal user names.
                _decoy.Verify(password);
                return null;
            }

            foreach (var (hash, tenant) in candidates)
            {
                if (hash.Verify(password))
                {
                    return tenant;
                }
            }

            return null;
        }

        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            if (!BearerToken.TryParse(header.Parameter, out var id, out var secret)
                || !_bearer.TryGetValue(id.ToString(), out var credential))
            {
                _decoy.Verify("x"u8);
                return null;
            }

            return credential.Hash.Verify(Encoding.UTF8.GetBytes(secret.ToString())) ? credential.Tenant : null;
        }

        return null;
    }

    private string CacheKey(string authorization)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(authorization), mac);
        return Convert.ToHexString(mac);
    }

    private void AddCredential(Tenant tenant, CredentialOptions credential, string where)
    {
        ParsedSecretHash hash;
        try
        {
            hash = SecretHash.Parse(credential.SecretHash);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{where}:SecretHash: {e.Message}", e);
        }

        switch (credential.Type.ToLowerInvariant())
        {
            case "basic":
                if (string.IsNullOrEmpty(credential.Username))
                {
                    throw new InvalidOperationException($"{where}: a basic credential needs a Username");
                }

                if (!_basic.TryGetValue(credential.Username, out var list))
                {
                    _basic[credential.Username] = list = [];
                }

                list.Add((hash, tenant));
                break;
            case "bearer":
                if (string.IsNullOrEmpty(credential.Id) || credential.Id.Length != 16)
                {
                    throw new InvalidOperationException($"{where}: a bearer credential needs the 16-character Id of its token");
                }

                if (!_bearer.TryAdd(credential.Id, (hash, tenant)))
                {
                    throw new InvalidOperationException($"{where}: bearer token id {credential.Id} is used twice");
                }

                break;
            default:
                throw new InvalidOperationException($"{where}:Type must be 'basic' or 'bearer' (it is '{credential.Type}')");
        }
    }

    private static TenantLimits Merge(TenantLimits defaults, TenantLimits? overrides) => overrides ?? defaults.Clone();
}
