using Azure.Core;
using PromLake.Log.Blobs;

namespace PromLake.Log.Tests.Blobs;

public sealed class BlobCheckpointOptionsTests
{
    [Fact]
    public void With_nothing_configured_the_container_is_promlake_checkpoints_on_local_azurite()
    {
        var options = new BlobCheckpointOptions();

        options.Validate();
        var container = options.CreateContainerClient();

        Assert.Equal("promlake-checkpoints", container.Name);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/promlake-checkpoints"), container.Uri);
        Assert.Equal(TimeSpan.FromSeconds(30), options.LeaseDuration);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("UpperCase")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("double--hyphen")]
    [InlineData("under_score")]
    public void A_container_name_azure_would_refuse_is_rejected_at_start(string name)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new BlobCheckpointOptions { ContainerName = name }.Validate());

        Assert.Contains("PromLake:Checkpoints:ContainerName", error.Message);
        Assert.Contains(name, error.Message);
    }

    [Theory]
    [InlineData(14)]
    [InlineData(61)]
    [InlineData(30.5)]
    public void A_lease_duration_outside_whole_15_to_60_seconds_is_rejected_at_start(double seconds)
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => new BlobCheckpointOptions { LeaseDuration = TimeSpan.FromSeconds(seconds) }.Validate());

        Assert.Contains("PromLake:Checkpoints:LeaseDuration", error.Message);
    }

    [Fact]
    public void A_connection_string_and_a_service_uri_together_are_ambiguous()
    {
        var options = new BlobCheckpointOptions
        {
            ConnectionString = "UseDevelopmentStorage=true",
            ServiceUri = new Uri("https://account.blob.core.windows.net"),
        };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains("not both", error.Message);
    }

    [Fact]
    public void A_malformed_connection_string_is_rejected_without_echoing_it()
    {
        var options = new BlobCheckpointOptions { ConnectionString = "AccountKey=secret-value-here" };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains("PromLake:Checkpoints:ConnectionString", error.Message);
        Assert.DoesNotContain("secret-value-here", error.Message);
    }

    [Fact]
    public void A_service_uri_needs_a_token_credential()
    {
        var options = new BlobCheckpointOptions { ServiceUri = new Uri("https://account.blob.core.windows.net") };

        var error = Assert.Throws<InvalidOperationException>(() => options.CreateContainerClient());
        Assert.Contains("credential", error.Message);

        var container = options.CreateContainerClient(new UnusedCredential());
        Assert.Equal(new Uri("https://account.blob.core.windows.net/promlake-checkpoints"), container.Uri);
    }

    [Fact]
    public void A_service_uri_that_is_not_an_absolute_http_address_is_rejected()
    {
        var options = new BlobCheckpointOptions { ServiceUri = new Uri("ftp://account.blob.core.windows.net") };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains("PromLake:Checkpoints:ServiceUri", error.Message);
    }

    /// <summary>Building a client asks for no token; a test that got this far never sends a request.</summary>
    private sealed class UnusedCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
