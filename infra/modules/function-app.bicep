// The PromLake Function App on the Flex Consumption plan: Linux, dotnet-isolated on .NET 10 (Flex
// supports dotnet-isolated 8.0, 9.0 and 10.0), one user-assigned identity for everything, and app
// settings that name endpoints and that identity, never a key. Tenant credential hashes come from
// Key Vault references resolved with the same identity.

import { tenant } from 'types.bicep'

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the Function App (becomes <name>.azurewebsites.net).')
param appName string

@description('Azure region.')
param location string

@description('Tags for the plan; the app also gets azd-service-name.')
param tags object

@description('Service name in azure.yaml, so `azd deploy` finds this app.')
param azdServiceName string

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Blob container URL the plan deploys the package from.')
param deploymentContainerUrl string

@description('Name of the Functions host storage account (AzureWebJobsStorage).')
param hostStorageAccountName string

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('Event Hubs namespace host name.')
param eventHubsFullyQualifiedNamespace string

@description('Name of the event hub.')
param eventHubName string

@description('The compactor\'s consumer group.')
param consumerGroupName string

@description('The queries\' consumer group.')
param queryConsumerGroupName string

@description('Shards = the hub\'s partitions.')
param shardCount int

@description('Blob endpoint of the data account.')
param dataBlobEndpoint string

@description('Container of the Parquet blocks.')
param dataContainerName string

@description('Container of the compactor\'s checkpoints and shard leases.')
param checkpointContainerName string

@description('URI of the key vault, ending in a slash.')
param keyVaultUri string

@description('Tenants and their credentials (hashes in Key Vault).')
param tenants tenant[]

@description('PromLake:Limits defaults for every tenant, e.g. { IngestionRate: 20000 }.')
param defaultLimits object

@description('.NET version of the isolated worker.')
param dotnetVersion string

@description('Memory of each instance in MB.')
param instanceMemoryMB int

@description('Most instances the app scales out to: a ceiling on cost and on load downstream.')
param maximumInstanceCount int

@description('Concurrent HTTP requests per instance that the platform scales on.')
param httpPerInstanceConcurrency int

// Every client points at an endpoint and the identity; nothing here is a key.
var baseAppSettings = {
  // Functions host storage (timer and singleton leases, host keys), identity-based.
  AzureWebJobsStorage__accountName: hostStorageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Telemetry with Entra ID authentication (the component has local auth disabled).
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // DefaultAzureCredential in any Azure SDK client picks the user-assigned identity.
  AZURE_CLIENT_ID: identityClientId
  // The ingest log (PromLake:EventHubs, src/PromLake.Log/EventHubs/EventHubsLogOptions.cs).
  PromLake__EventHubs__FullyQualifiedNamespace: eventHubsFullyQualifiedNamespace
  PromLake__EventHubs__HubName: eventHubName
  PromLake__EventHubs__ConsumerGroup: consumerGroupName
  PromLake__EventHubs__QueryConsumerGroup: queryConsumerGroupName
  PromLake__EventHubs__ManagedIdentityClientId: identityClientId
  PromLake__EventHubs__ShardCount: string(shardCount)
  // The compactor's checkpoints and shard leases (PromLake:Checkpoints, src/PromLake.Log/Blobs/BlobCheckpointOptions.cs):
  // a service URI, so the token credential (the identity) is used, never a connection string.
  PromLake__Checkpoints__ServiceUri: dataBlobEndpoint
  PromLake__Checkpoints__ContainerName: checkpointContainerName
  // The Parquet block store (PromLake:Storage), named like PromLake:Checkpoints: same account, own container.
  PromLake__Storage__ServiceUri: dataBlobEndpoint
  PromLake__Storage__ContainerName: dataContainerName
  PromLake__Storage__ManagedIdentityClientId: identityClientId
  // The timer-triggered compactor's schedule (a %…% binding expression has no default).
  PromLake__Compactor__Schedule: '*/30 * * * * *'
}

// PromLake:Tenants:<id>:Credentials:<n>:{Type, Username | Id, SecretHash}; SecretHash is a Key Vault
// reference without a version, so a new secret version is picked up without a redeployment.
var credentialSettings = flatten(map(tenants, t => flatten(map(range(0, length(t.credentials)), i => [
  {
    name: 'PromLake__Tenants__${t.id}__Credentials__${i}__Type'
    value: t.credentials[i].type
  }
  {
    name: 'PromLake__Tenants__${t.id}__Credentials__${i}__${t.credentials[i].type == 'basic' ? 'Username' : 'Id'}'
    value: t.credentials[i].type == 'basic' ? t.credentials[i].?username ?? '' : t.credentials[i].?id ?? ''
  }
  {
    name: 'PromLake__Tenants__${t.id}__Credentials__${i}__SecretHash'
    value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${t.credentials[i].secretName})'
  }
]))))

var tenantLimitSettings = flatten(map(tenants, t => map(items(t.?limits ?? {}), l => {
  name: 'PromLake__Tenants__${t.id}__Limits__${l.key}'
  value: string(l.value)
})))

var defaultLimitSettings = map(items(defaultLimits), l => {
  name: 'PromLake__Limits__${l.key}'
  value: string(l.value)
})

var tenantAppSettings = toObject(
  concat(credentialSettings, tenantLimitSettings, defaultLimitSettings),
  s => s.name,
  s => s.value
)

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve as the user-assigned identity (the default would be a system one).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: app
  name: 'appsettings'
  properties: union(baseAppSettings, tenantAppSettings)
}

@description('Name of the Function App.')
output name string = app.name

@description('Host name of the Function App, e.g. <app>.azurewebsites.net.')
output defaultHostName string = app.properties.defaultHostName
