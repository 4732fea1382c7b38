using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PromLake.Infra.Tests;

/// <summary>
/// Assertions over the compiled ARM template of infra/main.bicep: the security properties an architect
/// signs off (no shared keys, local auth off, TLS and HTTPS, one identity, least-privilege roles) and the
/// wiring PromLake relies on (partitions = shards, settings that name identities).
/// </summary>
public sealed partial class TemplateTests
{
    // Built-in role definition ids.
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string EventHubsDataSender = "2b629674-e913-4c01-ae53-ef4638d8f975";
    private const string EventHubsDataReceiver = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

    private static ArmTemplate Template => CompiledMain.Template;

    [SkippableFact]
    public void Both_storage_accounts_refuse_shared_keys_plain_http_and_old_tls()
    {
        var accounts = Template.OfType("Microsoft.Storage/storageAccounts").ToList();
        Assert.Equal(2, accounts.Count);
        foreach (var account in accounts)
        {
            var name = account.Text("name");
            Assert.True(account.At("properties", "allowSharedKeyAccess")?.GetValue<bool>() == false, $"{name}: allowSharedKeyAccess");
            Assert.True(account.Text("properties", "minimumTlsVersion") == "TLS1_2", $"{name}: minimumTlsVersion");
            Assert.True(account.At("properties", "supportsHttpsTrafficOnly")?.GetValue<bool>() == true, $"{name}: supportsHttpsTrafficOnly");
            Assert.True(account.At("properties", "allowBlobPublicAccess")?.GetValue<bool>() == false, $"{name}: allowBlobPublicAccess");
            Assert.True(account.At("properties", "defaultToOAuthAuthentication")?.GetValue<bool>() == true, $"{name}: defaultToOAuthAuthentication");
        }
    }

    [SkippableFact]
    public void Data_account_has_a_lifecycle_policy_that_tiers_to_cool_and_deletes_after_retention()
    {
        var policy = Template.Single("Microsoft.Storage/storageAccounts/managementPolicies");
        var rules = policy.At("properties", "policy", "rules")!.AsArray();
        var rule = Assert.Single(rules)!;
        Assert.True(rule["enabled"]!.GetValue<bool>());
        var baseBlob = rule["definition"]!["actions"]!["baseBlob"]!;
        Assert.Equal("[parameters('coolAfterDays')]",
            ArmTemplate.ResolveToRoot(policy, baseBlob["tierToCool"]!["daysAfterModificationGreaterThan"]!.GetValue<string>()));
        Assert.Equal("[parameters('retentionDays')]",
            ArmTemplate.ResolveToRoot(policy, baseBlob["delete"]!["daysAfterModificationGreaterThan"]!.GetValue<string>()));

        // Limited to the data container: checkpoints and leases in their own container are never tiered or deleted.
        var prefix = Assert.Single(rule["definition"]!["filters"]!["prefixMatch"]!.AsArray())!.GetValue<string>();
        Assert.Contains("dataContainer", prefix, StringComparison.Ordinal);
        var containers = Template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => c.Text("name")).ToList();
        Assert.Contains(containers, c => c!.Contains("dataContainerName", StringComparison.Ordinal));
        Assert.Contains(containers, c => c!.Contains("checkpointContainerName", StringComparison.Ordinal));
        Assert.Contains(containers, c => c!.Contains("deploymentContainerName", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Event_hubs_is_standard_with_local_auth_disabled_and_throughput_parameters()
    {
        var ns = Template.Single("Microsoft.EventHub/namespaces");
        Assert.True(ns.At("properties", "disableLocalAuth")?.GetValue<bool>() == true, "disableLocalAuth");
        Assert.Equal("Standard", ns.Text("sku", "tier"));
        Assert.Equal("[parameters('eventHubsThroughputUnits')]", ArmTemplate.ResolveToRoot(ns, ns.Text("sku", "capacity")!));
        Assert.Equal("[parameters('eventHubsAutoInflate')]", ArmTemplate.ResolveToRoot(ns, ns.Text("properties", "isAutoInflateEnabled")!));
        Assert.Equal("1.2", ns.Text("properties", "minimumTlsVersion"));
    }

    [SkippableFact]
    public void Hub_partitions_equal_the_shard_count_parameter_and_the_compactor_and_queries_have_consumer_groups()
    {
        var hub = Template.Single("Microsoft.EventHub/namespaces/eventhubs");
        Assert.Equal("[parameters('shardCount')]", ArmTemplate.ResolveToRoot(hub, hub.Text("properties", "partitionCount")!));
        Assert.Equal(2, Template.OfType("Microsoft.EventHub/namespaces/eventhubs/consumergroups").Count());

        // The app is told the same number, or it refuses to start (EnsurePartitionsMatchAsync).
        var (config, settings) = AppSettings();
        var shardCount = ParameterIn(Setting(settings, "PromLake__EventHubs__ShardCount"));
        Assert.Equal("[parameters('shardCount')]", ArmTemplate.ResolveToRoot(config, $"[parameters('{shardCount}')]"));
    }

    [SkippableFact]
    public void One_user_assigned_identity_is_the_app_identity_for_every_client()
    {
        var identity = Template.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        var identityModule = ModuleSymbol(identity);

        var app = Template.Single("Microsoft.Web/sites");
        Assert.Equal("UserAssigned", app.Text("identity", "type"));
        var attached = Assert.Single(app.At("identity", "userAssignedIdentities")!.AsObject());
        Assert.Equal(IdentityOutput(identityModule, "id"), ResolveParameterIn(app, attached.Key));
        Assert.Equal(IdentityOutput(identityModule, "id"), ResolveParameterIn(app, app.Text("properties", "keyVaultReferenceIdentity")!));

        var packageAuth = app.At("properties", "functionAppConfig", "deployment", "storage", "authentication")!;
        Assert.Equal("UserAssignedIdentity", packageAuth["type"]!.GetValue<string>());
        Assert.Equal(IdentityOutput(identityModule, "id"), ResolveParameterIn(app, packageAuth["userAssignedIdentityResourceId"]!.GetValue<string>()));

        var (config, settings) = AppSettings();
        foreach (var key in new[]
                 {
                     "AzureWebJobsStorage__clientId", "PromLake__EventHubs__ManagedIdentityClientId",
                     "AZURE_CLIENT_ID",
                 })
        {
            Assert.Equal(IdentityOutput(identityModule, "clientId"), ResolveParameterIn(config, Setting(settings, key)));
        }
    }

    [SkippableFact]
    public void App_settings_point_every_client_at_the_identity_and_hold_no_key()
    {
        var (_, settings) = AppSettings();
        Assert.Equal("managedidentity", Setting(settings, "AzureWebJobsStorage__credential"));
        Setting(settings, "AzureWebJobsStorage__accountName");
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.Contains("Authorization=AAD", Setting(settings, "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"), StringComparison.Ordinal);
        Setting(settings, "PromLake__EventHubs__FullyQualifiedNamespace");
        Setting(settings, "PromLake__EventHubs__HubName");
        Setting(settings, "PromLake__EventHubs__ConsumerGroup");
        Setting(settings, "PromLake__Storage__ServiceUri");
        Setting(settings, "PromLake__Storage__ContainerName");
        Setting(settings, "PromLake__Checkpoints__ServiceUri");
        Setting(settings, "PromLake__Checkpoints__ContainerName");

        foreach (var (key, value) in settings)
        {
            foreach (var text in new[] { key, value })
            {
                Assert.DoesNotContain("AccountKey", text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("SharedAccessKey", text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("listKeys", text, StringComparison.OrdinalIgnoreCase);
            }

            Assert.False(key.EndsWith("__ConnectionString", StringComparison.OrdinalIgnoreCase), $"{key}: a connection string setting");
            Assert.NotEqual("WEBSITE_RUN_FROM_PACKAGE", key); // not allowed on Flex Consumption
        }
    }

    [SkippableFact]
    public void Tenant_credential_hashes_are_key_vault_references()
    {
        var (_, settings) = AppSettings();
        var tenantSettings = Assert.Single(settings, s => s.Key == "tenantAppSettings:expression").Value;
        Assert.Contains("__SecretHash", tenantSettings, StringComparison.Ordinal);
        Assert.Contains("@Microsoft.KeyVault(SecretUri=", tenantSettings, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Nothing_in_the_deployment_reads_a_key_or_a_connection_string()
    {
        foreach (var text in ArmTemplate.Strings(Template.Root))
        {
            Assert.DoesNotContain("listKeys(", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listConnectionStrings(", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listAuthKeys(", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("AccountKey=", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessKey", text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Empty(Template.OfType("Microsoft.EventHub/namespaces/authorizationRules"));
        Assert.Empty(Template.OfType("Microsoft.EventHub/namespaces/eventhubs/authorizationRules"));
    }

    [SkippableTheory]
    [InlineData(StorageBlobDataOwner, "Microsoft.Storage/storageAccounts', parameters('hostStorageAccountName')")]
    [InlineData(StorageTableDataContributor, "Microsoft.Storage/storageAccounts', parameters('hostStorageAccountName')")]
    [InlineData(StorageBlobDataContributor, "Microsoft.Storage/storageAccounts', parameters('dataStorageAccountName')")]
    [InlineData(EventHubsDataSender, "Microsoft.EventHub/namespaces/eventhubs'")]
    [InlineData(EventHubsDataReceiver, "Microsoft.EventHub/namespaces/eventhubs'")]
    [InlineData(MonitoringMetricsPublisher, "Microsoft.Insights/components'")]
    [InlineData(KeyVaultSecretsUser, "Microsoft.KeyVault/vaults'")]
    public void The_app_identity_holds_each_needed_role_at_its_scope(string roleDefinitionId, string scope)
    {
        var assignment = Assert.Single(Template.OfType("Microsoft.Authorization/roleAssignments"),
            a => a.Text("properties", "roleDefinitionId")!.Contains(roleDefinitionId, StringComparison.Ordinal));
        Assert.Equal("ServicePrincipal", assignment.Text("properties", "principalType"));
        Assert.Contains(scope, assignment.Text("scope"), StringComparison.Ordinal);
        AssertIsTheAppIdentity(assignment);
    }

    [SkippableFact]
    public void The_app_identity_holds_no_other_role()
    {
        var allowed = new HashSet<string>
        {
            StorageBlobDataOwner, StorageTableDataContributor, StorageBlobDataContributor, EventHubsDataSender,
            EventHubsDataReceiver, MonitoringMetricsPublisher, KeyVaultSecretsUser,
        };
        var assignments = Template.OfType("Microsoft.Authorization/roleAssignments").ToList();
        foreach (var assignment in assignments.Where(a => !a.Text("properties", "principalId")!.Contains("deployerPrincipalId", StringComparison.Ordinal)))
        {
            var role = RoleGuid().Match(assignment.Text("properties", "roleDefinitionId")!).Value;
            Assert.True(allowed.Contains(role), $"the app identity is given role {role}, which it does not need");
            AssertIsTheAppIdentity(assignment);
        }

        Assert.Equal(allowed.Count, assignments.Count(a => !a.Text("properties", "principalId")!.Contains("deployerPrincipalId", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public void The_deployer_only_gets_key_vault_secrets_officer_and_only_when_named()
    {
        var deployer = Assert.Single(Template.OfType("Microsoft.Authorization/roleAssignments"),
            a => a.Text("properties", "principalId")!.Contains("deployerPrincipalId", StringComparison.Ordinal));
        Assert.Contains(KeyVaultSecretsOfficer, deployer.Text("properties", "roleDefinitionId"), StringComparison.Ordinal);
        Assert.Contains("deployerPrincipalId", deployer.Text("condition"), StringComparison.Ordinal);
        Assert.Contains("Microsoft.KeyVault/vaults'", deployer.Text("scope"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Key_vault_uses_rbac_and_soft_delete()
    {
        var vault = Template.Single("Microsoft.KeyVault/vaults");
        Assert.True(vault.At("properties", "enableRbacAuthorization")?.GetValue<bool>() == true, "enableRbacAuthorization");
        Assert.True(vault.At("properties", "enableSoftDelete")?.GetValue<bool>() == true, "enableSoftDelete");
        Assert.Null(vault.At("properties", "accessPolicies"));
    }

    [SkippableFact]
    public void Application_insights_sits_on_log_analytics_and_accepts_only_entra_auth()
    {
        var insights = Template.Single("Microsoft.Insights/components");
        Assert.True(insights.At("properties", "DisableLocalAuth")?.GetValue<bool>() == true, "DisableLocalAuth");
        Assert.Contains("Microsoft.OperationalInsights/workspaces", insights.Text("properties", "WorkspaceResourceId"), StringComparison.Ordinal);
        Template.Single("Microsoft.OperationalInsights/workspaces");

        var (_, settings) = AppSettings();
        Setting(settings, "APPLICATIONINSIGHTS_CONNECTION_STRING");
    }

    [SkippableFact]
    public void Function_app_runs_dotnet_isolated_10_on_flex_consumption_over_https()
    {
        var plan = Template.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan.Text("sku", "name"));
        Assert.Equal("FlexConsumption", plan.Text("sku", "tier"));

        var app = Template.Single("Microsoft.Web/sites");
        Assert.Contains("linux", app.Text("kind"), StringComparison.Ordinal);
        Assert.True(app.At("properties", "httpsOnly")?.GetValue<bool>() == true, "httpsOnly");
        Assert.Equal("dotnet-isolated", app.Text("properties", "functionAppConfig", "runtime", "name"));
        Assert.Equal("[parameters('dotnetVersion')]", ResolveParameterIn(app, app.Text("properties", "functionAppConfig", "runtime", "version")!));
        Assert.Equal("10.0", Template.Root["parameters"]!["dotnetVersion"]!["defaultValue"]!.GetValue<string>());
        Assert.Equal("blobContainer", app.Text("properties", "functionAppConfig", "deployment", "storage", "type"));
        Assert.Contains("azd-service-name", app.Text("tags"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Outputs_give_the_remote_write_and_query_urls()
    {
        var outputs = Template.Root["outputs"]!.AsObject();
        var remoteWrite = outputs["PROMLAKE_REMOTE_WRITE_URL"]!["value"]!.GetValue<string>();
        Assert.Contains("https://", remoteWrite, StringComparison.Ordinal);
        Assert.Contains("/api/v1/write", remoteWrite, StringComparison.Ordinal);
        var query = outputs["PROMLAKE_QUERY_URL"]!["value"]!.GetValue<string>();
        Assert.Contains("https://", query, StringComparison.Ordinal);
        Assert.Contains("defaultHostName", query, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Parameters_file_matches_the_template()
    {
        var parameters = (JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Infra, "main.parameters.json")))!["parameters"]!).AsObject();
        var declared = Template.Root["parameters"]!.AsObject();
        foreach (var (name, _) in parameters)
        {
            Assert.True(declared.ContainsKey(name), $"main.parameters.json sets '{name}', which main.bicep does not declare");
        }

        foreach (var (name, definition) in declared)
        {
            if (definition!["defaultValue"] is null)
            {
                Assert.True(parameters.ContainsKey(name), $"main.bicep requires '{name}', which main.parameters.json does not set");
            }
        }
    }

    private static void AssertIsTheAppIdentity(ArmResource assignment)
    {
        // principalId is the principal of the user-assigned identity named by parameter appIdentityName,
        // which main.bicep fills with the same name it gives the identity module.
        var principalId = assignment.Text("properties", "principalId")!;
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities', parameters('appIdentityName')", principalId, StringComparison.Ordinal);
        var identity = Template.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        Assert.Equal(
            ArmTemplate.ResolveToRoot(identity, identity.Text("name")!),
            ArmTemplate.ResolveToRoot(assignment, "[parameters('appIdentityName')]"));
    }

    /// <summary>
    /// The app settings resource and its settings: the keys of every object variable its properties
    /// merge, plus "&lt;variable&gt;:expression" for variables computed by an expression.
    /// </summary>
    private static (ArmResource Config, Dictionary<string, string> Settings) AppSettings()
    {
        var config = Assert.Single(Template.OfType("Microsoft.Web/sites/config"),
            c => c.Text("name")!.Contains("appsettings", StringComparison.Ordinal));
        var properties = config.Text("properties")!;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match variable in VariableReference().Matches(properties))
        {
            var name = variable.Groups[1].Value;
            switch (config.Template["variables"]?[name])
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        settings.Add(key, value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value?.ToJsonString() ?? "");
                    }

                    break;
                case JsonValue expression:
                    settings.Add(name + ":expression", Expand(config.Template, expression.GetValue<string>()));
                    break;
            }
        }

        Assert.True(settings.Count > 0, $"cannot read the app settings from '{properties}'");
        return (config, settings);
    }

    /// <summary>An expression with the variables it uses appended, so a search sees what they compute.</summary>
    private static string Expand(JsonObject template, string expression)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var text = expression;
        var queue = new Queue<string>(VariableReference().Matches(expression).Select(m => m.Groups[1].Value));
        while (queue.TryDequeue(out var name))
        {
            if (!seen.Add(name) || template["variables"]?[name] is not JsonNode value)
            {
                continue;
            }

            var valueText = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString();
            text += "\n" + valueText;
            foreach (Match inner in VariableReference().Matches(valueText))
            {
                queue.Enqueue(inner.Groups[1].Value);
            }
        }

        return text;
    }

    private static string Setting(Dictionary<string, string> settings, string key)
    {
        Assert.True(settings.TryGetValue(key, out var value), $"app setting {key} is missing");
        return value!;
    }

    private static string ParameterIn(string expression)
    {
        var match = ParameterName().Match(expression);
        Assert.True(match.Success, $"'{expression}' does not use a parameter");
        return match.Groups[1].Value;
    }

    /// <summary>Resolves the (single) parameter an expression uses to what the top-level template passes.</summary>
    private static string ResolveParameterIn(ArmResource resource, string expression) =>
        ArmTemplate.ResolveToRoot(resource, $"[parameters('{ParameterIn(expression)}')]");

    private static string ModuleSymbol(ArmResource resource)
    {
        Assert.NotEmpty(resource.Modules);
        var module = Template.Resources.Single(r => ReferenceEquals(r.Json, resource.Modules[^1]));
        return module.SymbolicName ?? throw new InvalidOperationException("the top-level template has no symbolic names");
    }

    private static string IdentityOutput(string module, string output) => $"[reference('{module}').outputs.{output}.value]";

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"parameters\('([^']+)'\)")]
    private static partial Regex ParameterName();

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex RoleGuid();
}
