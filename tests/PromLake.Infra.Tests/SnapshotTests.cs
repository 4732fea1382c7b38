using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PromLake.Infra.Tests;

/// <summary>
/// `bicep snapshot` evaluates the whole deployment offline for one set of parameters (fake subscription
/// and tenant ids): every resource with its name and properties as ARM would send them, except values
/// only Azure knows at run time (those stay reference() expressions). These tests check the evaluated
/// result for a sample with two credentials, limits and eight shards.
/// </summary>
public sealed partial class SnapshotTests
{
    private const string SubscriptionId = "11111111-1111-1111-1111-111111111111";
    private const string TenantId = "22222222-2222-2222-2222-222222222222";
    private const string DeployerId = "33333333-3333-3333-3333-333333333333";

    private static readonly Lazy<JsonObject> LazySnapshot = new(TakeSnapshot);

    private static JsonObject Snapshot
    {
        get
        {
            Skip.IfNot(BicepCli.IsSupportedPlatform, "the Bicep CLI package is linux-x64 only");
            return LazySnapshot.Value;
        }
    }

    private static IEnumerable<JsonObject> Resources(string type) =>
        Snapshot["predictedResources"]!.AsArray().OfType<JsonObject>()
            .Where(r => string.Equals(r["type"]!.GetValue<string>(), type, StringComparison.OrdinalIgnoreCase));

    private static JsonObject AppSettings() =>
        Assert.Single(Resources("Microsoft.Web/sites/config"))["properties"]!.AsObject();

    private static string Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString() ?? "";

    [SkippableFact]
    public void Partitions_and_the_app_agree_on_the_shard_count()
    {
        var hub = Assert.Single(Resources("Microsoft.EventHub/namespaces/eventhubs"));
        Assert.Equal(8, hub["properties"]!["partitionCount"]!.GetValue<int>());
        Assert.Equal("8", Text(AppSettings()["PromLake__EventHubs__ShardCount"]));
    }

    [SkippableFact]
    public void Compactor_and_queries_read_the_hub_in_consumer_groups_of_their_own()
    {
        var groups = Resources("Microsoft.EventHub/namespaces/eventhubs/consumergroups")
            .Select(g => g["name"]!.GetValue<string>().Split('/')[^1]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["compactor", "query"], groups);
        Assert.Equal("compactor", Text(AppSettings()["PromLake__EventHubs__ConsumerGroup"]));
        Assert.Equal("query", Text(AppSettings()["PromLake__EventHubs__QueryConsumerGroup"]));
    }

    [SkippableFact]
    public void Auto_inflate_off_sends_no_maximum()
    {
        var ns = Assert.Single(Resources("Microsoft.EventHub/namespaces"));
        Assert.False(ns["properties"]!["isAutoInflateEnabled"]!.GetValue<bool>());
        Assert.Equal(0, ns["properties"]!["maximumThroughputUnits"]!.GetValue<int>());
        Assert.Equal(2, ns["sku"]!["capacity"]!.GetValue<int>());
    }

    [SkippableFact]
    public void Tenant_credentials_become_settings_with_key_vault_references()
    {
        var settings = AppSettings();
        Assert.Equal("basic", Text(settings["PromLake__Tenants__acme__Credentials__0__Type"]));
        Assert.Equal("alice", Text(settings["PromLake__Tenants__acme__Credentials__0__Username"]));
        Assert.Equal("bearer", Text(settings["PromLake__Tenants__acme__Credentials__1__Type"]));
        Assert.Equal("0123456789abcdef", Text(settings["PromLake__Tenants__acme__Credentials__1__Id"]));
        Assert.Equal("basic", Text(settings["PromLake__Tenants__beta__Credentials__0__Type"]));
        Assert.Equal("50000", Text(settings["PromLake__Tenants__acme__Limits__IngestionRate"]));
        Assert.Equal("20000", Text(settings["PromLake__Limits__IngestionRate"]));

        var vault = Assert.Single(Resources("Microsoft.KeyVault/vaults"))["id"]!.GetValue<string>();
        foreach (var (key, secret) in new[]
                 {
                     ("PromLake__Tenants__acme__Credentials__0__SecretHash", "tenant-acme-alice"),
                     ("PromLake__Tenants__acme__Credentials__1__SecretHash", "tenant-acme-ci"),
                     ("PromLake__Tenants__beta__Credentials__0__SecretHash", "tenant-beta-bob"),
                 })
        {
            // @Microsoft.KeyVault(SecretUri=<vault uri>secrets/<name>), versionless: a new version is picked up.
            var value = Text(settings[key]);
            Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0}secrets/{1})', ", value, StringComparison.Ordinal);
            Assert.Contains($"'{secret}')]", value, StringComparison.Ordinal);
            Assert.Contains(vault, value, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public void Settings_name_the_identity_and_endpoints_never_a_key()
    {
        var identity = Assert.Single(Resources("Microsoft.ManagedIdentity/userAssignedIdentities"))["id"]!.GetValue<string>();
        var settings = AppSettings();
        Assert.Equal("managedidentity", Text(settings["AzureWebJobsStorage__credential"]));
        foreach (var key in new[] { "AzureWebJobsStorage__clientId", "PromLake__EventHubs__ManagedIdentityClientId", "AZURE_CLIENT_ID" })
        {
            Assert.Equal($"[reference('{identity}', '2023-01-31').clientId]", Text(settings[key]));
        }

        var hostStorage = Assert.Single(Resources("Microsoft.Storage/storageAccounts"), a => a["name"]!.GetValue<string>().StartsWith("stfn", StringComparison.Ordinal));
        Assert.Equal(hostStorage["name"]!.GetValue<string>(), Text(settings["AzureWebJobsStorage__accountName"]));
        Assert.Contains("serviceBusEndpoint", Text(settings["PromLake__EventHubs__FullyQualifiedNamespace"]), StringComparison.Ordinal);
        var dataAccount = Assert.Single(Resources("Microsoft.Storage/storageAccounts"), a => a["name"]!.GetValue<string>().StartsWith("stdata", StringComparison.Ordinal))["id"]!.GetValue<string>();
        foreach (var key in new[] { "PromLake__Storage__ServiceUri", "PromLake__Checkpoints__ServiceUri" })
        {
            Assert.Equal($"[reference('{dataAccount}', '2025-01-01').primaryEndpoints.blob]", Text(settings[key]));
        }

        Assert.Equal("promlake", Text(settings["PromLake__Storage__ContainerName"]));
        Assert.Equal("promlake-checkpoints", Text(settings["PromLake__Checkpoints__ContainerName"]));

        foreach (var (key, value) in settings)
        {
            Assert.DoesNotContain("AccountKey", key + Text(value), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessKey", key + Text(value), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys", Text(value), StringComparison.OrdinalIgnoreCase);
        }
    }

    [SkippableFact]
    public void Role_assignments_go_to_the_app_identity_and_the_deployer_only()
    {
        var identity = Assert.Single(Resources("Microsoft.ManagedIdentity/userAssignedIdentities"))["id"]!.GetValue<string>();
        var assignments = Resources("Microsoft.Authorization/roleAssignments").ToList();
        var app = assignments.Where(a => Text(a["properties"]!["principalId"]) == $"[reference('{identity}', '2023-01-31').principalId]").ToList();
        Assert.Equal(7, app.Count);
        Assert.All(app, a => Assert.Equal("ServicePrincipal", Text(a["properties"]!["principalType"])));

        var deployer = Assert.Single(assignments, a => Text(a["properties"]!["principalId"]) == DeployerId);
        Assert.Equal("ServicePrincipal", Text(deployer["properties"]!["principalType"]));
        Assert.EndsWith("/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7", Text(deployer["properties"]!["roleDefinitionId"]), StringComparison.Ordinal);
        Assert.Equal(app.Count + 1, assignments.Count);

        // Event Hubs roles sit on the hub itself, not the namespace.
        var hub = Assert.Single(Resources("Microsoft.EventHub/namespaces/eventhubs"))["id"]!.GetValue<string>();
        Assert.Equal(2, app.Count(a => a["id"]!.GetValue<string>().StartsWith(hub + "/providers/Microsoft.Authorization/", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public void Resource_names_are_valid_for_their_services()
    {
        foreach (var account in Resources("Microsoft.Storage/storageAccounts"))
        {
            Assert.Matches(StorageAccountName(), account["name"]!.GetValue<string>());
        }

        Assert.Matches(KeyVaultName(), Assert.Single(Resources("Microsoft.KeyVault/vaults"))["name"]!.GetValue<string>());
        Assert.Matches(EventHubsNamespaceName(), Assert.Single(Resources("Microsoft.EventHub/namespaces"))["name"]!.GetValue<string>());
        Assert.InRange(Assert.Single(Resources("Microsoft.Web/sites"))["name"]!.GetValue<string>().Length, 2, 60);
    }

    [SkippableFact]
    public void Flex_consumption_app_on_dotnet_10_with_the_package_in_its_container()
    {
        var app = Assert.Single(Resources("Microsoft.Web/sites"));
        var config = app["properties"]!["functionAppConfig"]!;
        Assert.Equal("dotnet-isolated", Text(config["runtime"]!["name"]));
        Assert.Equal("10.0", Text(config["runtime"]!["version"]));
        Assert.Contains("app-package", Text(config["deployment"]!["storage"]!["value"]), StringComparison.Ordinal);
        Assert.Equal(16, config["scaleAndConcurrency"]!["triggers"]!["http"]!["perInstanceConcurrency"]!.GetValue<int>());
        Assert.Equal("promlake", Text(app["tags"]!["azd-service-name"]));
    }

    private static JsonObject TakeSnapshot()
    {
        var dir = Path.Combine(Path.GetTempPath(), "promlake-snapshot-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // Bicep accepts only relative paths in `using`.
            var main = Path.GetRelativePath(dir, Path.Combine(RepositoryPaths.Infra, "main.bicep")).Replace('\\', '/');
            var parameters = Path.Combine(dir, "sample.bicepparam");
            File.WriteAllText(parameters, $$"""
                using '{{main}}'

                param environmentName = 'promlake-test'
                param location = 'westeurope'
                param deployerPrincipalId = '{{DeployerId}}'
                param deployerPrincipalType = 'ServicePrincipal'
                param shardCount = 8
                param eventHubsThroughputUnits = 2
                param eventHubsAutoInflate = false
                param defaultLimits = { IngestionRate: 20000 }
                param tenants = [
                  {
                    id: 'acme'
                    credentials: [
                      { type: 'basic', username: 'alice', secretName: 'tenant-acme-alice' }
                      { type: 'bearer', id: '0123456789abcdef', secretName: 'tenant-acme-ci' }
                    ]
                    limits: { IngestionRate: 50000 }
                  }
                  {
                    id: 'beta'
                    credentials: [
                      { type: 'basic', username: 'bob', secretName: 'tenant-beta-bob' }
                    ]
                  }
                ]
                """);
            var result = BicepCli.Run("snapshot", parameters, "--subscription-id", SubscriptionId, "--tenant-id", TenantId, "--location", "westeurope");
            Assert.True(result.ExitCode == 0, "bicep snapshot failed: " + result.Describe());
            var snapshot = (JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "sample.snapshot.json"))) as JsonObject)!;
            Assert.True(snapshot["diagnostics"] is not JsonArray { Count: > 0 }, "snapshot diagnostics: " + snapshot["diagnostics"]!.ToJsonString());
            return snapshot;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex("^[a-z0-9]{3,24}$")]
    private static partial Regex StorageAccountName();

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")]
    private static partial Regex KeyVaultName();

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$")]
    private static partial Regex EventHubsNamespaceName();
}
