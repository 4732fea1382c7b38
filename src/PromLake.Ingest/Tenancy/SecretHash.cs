using System.Security.Cryptography;
using System.Text;

namespace PromLake.Ingest.Tenancy;

/// <summary>
/// Salted, slow hashes of credential secrets: <c>pbkdf2-sha256$iterations$salt$hash</c>
/// (salt and hash in base64). Only the hash is ever stored in configuration.
/// </summary>
public static class SecretHash
{
    public const string Scheme = "pbkdf2-sha256";
    public const int DefaultIterations = 100_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Create(string secret, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Parses a stored hash; the message names what is wrong with it.</summary>
    public static ParsedSecretHash Parse(string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme)
        {
            throw new FormatException($"a secret hash must look like '{Scheme}$<iterations>$<salt>$<hash>'");
        }

        if (!int.TryParse(parts[1], out var iterations) || iterations < 10_000)
        {
            throw new FormatException("a secret hash needs at least 10000 iterations");
        }

        try
        {
            return new ParsedSecretHash(iterations, Convert.FromBase64String(parts[2]), Convert.FromBase64String(parts[3]));
        }
        catch (FormatException)
        {
            throw new FormatException("the salt and hash of a secret hash must be base64");
        }
    }
}

public sealed record ParsedSecretHash(int Iterations, byte[] Salt, byte[] Hash)
{
    /// <summary>Derives the presented secret's hash and compares it in constant time.</summary>
    public bool Verify(ReadOnlySpan<byte> secret)
    {
        Span<byte> derived = stackalloc byte[Hash.Length];
        Rfc2898DeriveBytes.Pbkdf2(secret, Salt, derived, Iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(derived, Hash);
    }
}
