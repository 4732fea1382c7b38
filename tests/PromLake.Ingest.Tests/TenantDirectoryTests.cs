using System.Text;
using Microsoft.Extensions.Configuration;
using PromLake.Ingest.Limits;
using PromLake.Ingest.Tenancy;

namespace PromLake.Ingest.Tests;

public class TenantDirectoryTests
{
    private static readonly string AliceHash = SecretHash.Create("s3cret", 10_000);
    private static readonly (string Id, string Token) Bearer = BearerToken.Create();

    private readonly TenantDirectory _tenants = TenantDirectory.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["PromLake:Limits:IngestionRate"] = "500",
        ["PromLake:Tenants:acme:Credentials:0:Type"] = "basic",
        ["PromLake:Tenants:acme:Credentials:0:Username"] = "alice",
        ["PromLake:Tenants:acme:Credentials:0:SecretHash"] = AliceHash,
        ["PromLake:Tenants:acme:Credentials:1:Type"] = "bearer",
        ["PromLake:Tenants:acme:Credentials:1:Id"] = Bearer.Id,
        ["PromLake:Tenants:acme:Credentials:1:SecretHash"] = SecretHash.Create(BearerToken.SecretOf(Bearer.Token), 10_000),
        ["PromLake:Tenants:beta:Credentials:0:Type"] = "basic",
        ["PromLake:Tenants:beta:Credentials:0:Username"] = "bob",
        ["PromLake:Tenants:beta:Credentials:0:SecretHash"] = SecretHash.Create("other", 10_000),
        ["PromLake:Tenants:beta:Limits:MaxLabelNamesPerSeries"] = "10",
    }).Build());

    [Fact]
    public void Basic_credentials_authenticate_their_tenant()
    {
        Assert.Equal("acme", _tenants.Authenticate(Basic("alice", "s3cret"))?.Id);
        Assert.Equal("acme", _tenants.Authenticate(Basic("alice", "s3cret"))?.Id);
        Assert.Equal("beta", _tenants.Authenticate(Basic("bob", "other"))?.Id);
    }

    [Fact]
    public void Bearer_tokens_authenticate_their_tenant()
    {
        Assert.Equal("acme", _tenants.Authenticate("Bearer " + Bearer.Token)?.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic !!!")]
    [InlineData("Basic YWxpY2U=")]
    [InlineData("Bearer plk_0000000000000000_nope")]
    [InlineData("Bearer not-a-token")]
    [InlineData("Digest x")]
    public void Anything_else_authenticates_nobody(string? header)
    {
        Assert.Null(_tenants.Authenticate(header));
    }

    [Fact]
    public void Wrong_passwords_and_other_tenants_passwords_fail()
    {
        Assert.Null(_tenants.Authenticate(Basic("alice", "wrong")));
        Assert.Null(_tenants.Authenticate(Basic("alice", "other")));
        Assert.Null(_tenants.Authenticate(Basic("mallory", "s3cret")));
    }

    [Fact]
    public void Tenant_limits_override_the_defaults_field_by_field()
    {
        Assert.Equal(500, _tenants.Tenants["acme"].Limits.IngestionRate);
        Assert.Equal(30, _tenants.Tenants["acme"].Limits.MaxLabelNamesPerSeries);
        Assert.Equal(10, _tenants.Tenants["beta"].Limits.MaxLabelNamesPerSeries);
        Assert.Equal(500, _tenants.Tenants["beta"].Limits.IngestionRate);
    }

    [Fact]
    public void Keeps_395_days_by_default_and_refuses_a_retention_under_one_day_at_start_up()
    {
        Assert.Equal(395, _tenants.Tenants["acme"].Limits.RetentionDays);
        var settings = new Dictionary<string, string?>
        {
            ["PromLake:Tenants:x:Credentials:0:Type"] = "basic",
            ["PromLake:Tenants:x:Credentials:0:Username"] = "u",
            ["PromLake:Tenants:x:Credentials:0:SecretHash"] = AliceHash,
            ["PromLake:Tenants:x:Limits:RetentionDays"] = "0",
        };

        var e = Assert.Throws<InvalidOperationException>(() => TenantDirectory.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        Assert.Contains("PromLake:Tenants:x:Limits:RetentionDays must be greater than 0", e.Message);
    }

    [Fact]
    public void Knows_when_the_development_credential_is_configured()
    {
        var dev = new TenantDirectory(new Dictionary<string, TenantOptions>
        {
            ["dev"] = new() { Credentials = [new CredentialOptions { Type = "basic", Username = "dev", SecretHash = SecretHash.Create("dev", 10_000) }] },
        }, new TenantLimits());

        Assert.True(dev.AcceptsDevelopmentCredential());
        Assert.False(_tenants.AcceptsDevelopmentCredential());
    }

    [Theory]
    [InlineData("Type", "digest", "must be 'basic' or 'bearer'")]
    [InlineData("SecretHash", "plaintext", "SecretHash")]
    [InlineData("Username", "", "needs a Username")]
    public void Refuses_a_bad_credential_at_start_up_naming_the_setting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["PromLake:Tenants:x:Credentials:0:Type"] = "basic",
            ["PromLake:Tenants:x:Credentials:0:Username"] = "u",
            ["PromLake:Tenants:x:Credentials:0:SecretHash"] = AliceHash,
        };
        settings[$"PromLake:Tenants:x:Credentials:0:{key}"] = value;

        var e = Assert.Throws<InvalidOperationException>(() => TenantDirectory.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        Assert.Contains(expected, e.Message);
        Assert.Contains("PromLake:Tenants:x:Credentials:0", e.Message);
    }

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
}
