using Azure.Core;
using Azure.Storage.Blobs;

namespace PromLake.Log.Blobs;

/// <summary>
/// Configuration section <c>PromLake:Checkpoints</c>: where the compactor keeps its
/// checkpoints and shard leases in blob storage (<see cref="BlobCheckpointStore"/>,
/// <see cref="ShardLease"/>). With nothing set it talks to Azurite on its default port.
/// </summary>
public sealed class BlobCheckpointOptions
{
    public const string Section = "PromLake:Checkpoints";

    /// <summary>What the container is called when nothing else is configured.</summary>
    public const string DefaultContainerName = "promlake-checkpoints";

    /// <summary>Azure's bounds for a finite blob lease (Lease Blob: "between 15 and 60 seconds").</summary>
    public static readonly TimeSpan MinLeaseDuration = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary>The connection string Azurite's documentation gives for its default endpoints.</summary>
    internal const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>
    /// A storage connection string (shared key or SAS). Leave empty to use
    /// <see cref="ServiceUri"/> with a token credential instead; leave both empty
    /// for Azurite on 127.0.0.1:10000.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The blob service endpoint (<c>https://ACCOUNT.blob.core.windows.net</c>), used
    /// with the token credential given to <see cref="CreateContainerClient"/>
    /// (managed identity in Azure).
    /// </summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The container that holds <c>checkpoints/…</c> and <c>ownership/…</c>; created if missing.</summary>
    public string ContainerName { get; set; } = DefaultContainerName;

    /// <summary>
    /// How long a shard lease lasts without renewal: a crashed compactor's shards are
    /// taken over this long after its last renewal. Whole seconds from 15 to 60.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString) && ServiceUri is not null)
        {
            throw new InvalidOperationException(
                $"{Section}: set {nameof(ConnectionString)} or {nameof(ServiceUri)}, not both");
        }

        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            try
            {
                // Parses without a request; the message must not echo the string, which holds a secret.
                _ = new BlobServiceClient(ConnectionString);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidOperationException(
                    $"{Section}:{nameof(ConnectionString)} is not a storage connection string ({e.GetType().Name})");
            }
        }

        if (ServiceUri is not null && (!ServiceUri.IsAbsoluteUri || ServiceUri.Scheme is not ("https" or "http")))
        {
            throw new InvalidOperationException(
                $"{Section}:{nameof(ServiceUri)} must be an absolute http(s) address such as https://ACCOUNT.blob.core.windows.net (it is '{ServiceUri}')");
        }

        if (!IsValidContainerName(ContainerName))
        {
            throw new InvalidOperationException(
                $"{Section}:{nameof(ContainerName)} must be 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit (it is '{ContainerName}')");
        }

        if (LeaseDuration < MinLeaseDuration || LeaseDuration > MaxLeaseDuration || LeaseDuration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new InvalidOperationException(
                $"{Section}:{nameof(LeaseDuration)} must be whole seconds from {MinLeaseDuration.TotalSeconds} to {MaxLeaseDuration.TotalSeconds}, Azure's limits for a blob lease (it is {LeaseDuration})");
        }
    }

    /// <summary>
    /// A client for the configured container: by connection string, by
    /// <see cref="ServiceUri"/> with <paramref name="credential"/>, or Azurite's
    /// default endpoint when neither is set. Hosts that build their own
    /// <see cref="BlobServiceClient"/> call its <c>GetBlobContainerClient(ContainerName)</c> instead.
    /// </summary>
    public BlobContainerClient CreateContainerClient(TokenCredential? credential = null)
    {
        Validate();
        if (ServiceUri is not null)
        {
            if (credential is null)
            {
                throw new InvalidOperationException(
                    $"{Section}:{nameof(ServiceUri)} is set, so a token credential (for example a managed identity) is needed to reach it");
            }

            return new BlobServiceClient(ServiceUri, credential).GetBlobContainerClient(ContainerName);
        }

        var connectionString = string.IsNullOrWhiteSpace(ConnectionString) ? DevelopmentStorage : ConnectionString;
        return new BlobContainerClient(connectionString, ContainerName);
    }

    // Container naming rules: https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
    private static bool IsValidContainerName(string? name)
    {
        if (name is null || name.Length is < 3 or > 63 || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var allowed = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (c == '-' && name[i - 1] != '-');
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }
}
