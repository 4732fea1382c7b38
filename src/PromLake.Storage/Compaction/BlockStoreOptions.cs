using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Configuration section <c>PromLake:Storage</c>: the container that holds the
/// Parquet blocks. Zero configuration means Azurite on this machine.
/// </summary>
public sealed class BlockStoreOptions
{
    public const string Section = "PromLake:Storage";

    /// <summary>A connection string (Azurite, keys); the default is Azurite's well-known development account.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service endpoint, e.g. https://account.blob.core.windows.net, used with a managed identity.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The client id of a user-assigned managed identity; empty for the default credential chain.</summary>
    public string? ManagedIdentityClientId { get; set; }

    public string ContainerName { get; set; } = "promlake";

    public void Validate()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString) && ServiceUri is not null)
        {
            throw new InvalidOperationException($"{Section}: set either ConnectionString or ServiceUri, not both");
        }

        if (string.IsNullOrWhiteSpace(ContainerName) || ContainerName.Length is < 3 or > 63 || ContainerName.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
        {
            throw new InvalidOperationException($"{Section}:{nameof(ContainerName)} must be 3-63 lower-case letters, digits or hyphens (it is '{ContainerName}')");
        }
    }

    public BlobContainerClient CreateContainerClient()
    {
        Validate();
        if (ServiceUri is not null)
        {
            TokenCredential credential = string.IsNullOrWhiteSpace(ManagedIdentityClientId)
                ? new DefaultAzureCredential()
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(ManagedIdentityClientId));
            return new BlobServiceClient(ServiceUri, credential).GetBlobContainerClient(ContainerName);
        }

        return new BlobServiceClient(string.IsNullOrWhiteSpace(ConnectionString) ? "UseDevelopmentStorage=true" : ConnectionString)
            .GetBlobContainerClient(ContainerName);
    }
}
