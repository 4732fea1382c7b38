using System.Security.Cryptography;

namespace PromLake.Ingest.Tenancy;

/// <summary>
/// Bearer tokens PromLake issues: <c>plk_&lt;id&gt;_&lt;secret&gt;</c>. The id (16 hex
/// characters) finds the credential without trying every hash; the secret is
/// 32 random bytes in base64url and is checked against the stored hash.
/// </summary>
public static class BearerToken
{
    public const string Prefix = "plk_";
    private const int IdLength = 16;

    public static (string Id, string Token) Create()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (id, $"{Prefix}{id}_{secret}");
    }

    public static bool TryParse(ReadOnlySpan<char> token, out ReadOnlySpan<char> id, out ReadOnlySpan<char> secret)
    {
        id = secret = default;
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length <= Prefix.Length + IdLength + 1
            || token[Prefix.Length + IdLength] != '_')
        {
            return false;
        }

        id = token.Slice(Prefix.Length, IdLength);
        secret = token[(Prefix.Length + IdLength + 1)..];
        return true;
    }

    /// <summary>The secret part of a token, which is what gets hashed.</summary>
    public static string SecretOf(string token) =>
        TryParse(token, out _, out var secret) ? secret.ToString() : throw new FormatException("not a PromLake bearer token");

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
