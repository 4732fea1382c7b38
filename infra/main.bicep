// PromLake on Azure: a managed Prometheus remote_write endpoint on Azure Functions (Flex Consumption),
// with Event Hubs as the ingest log and Parquet blocks in Blob Storage. `azd up` deploys this file
// (subscription scope: it creates the resource group) and then the app in src/PromLake.Functions.
//
//   identity.bicep      the one user-assigned identity every client uses
//   monitoring.bicep    Log Analytics + Application Insights (Entra-only ingestion)
//   host-storage.bicep  the Functions host's storage and the deployment package container
//   data-storage.bicep  the data account: containers, lifecycle (cool tier, retention)
//   event-hubs.bicep    namespace, hub (partitions = shards), compactor consumer group
//   key-vault.bicep     tenant credential hashes, RBAC mode
//   app-roles.bicep     every role the identity holds, and why
//   function-app.bicep  plan, app, app settings
//
// Nothing holds a key: shared-key access is off on both storage accounts, local auth is off on Event
// Hubs and Application Insights, and the app settings carry endpoints, the identity's client id and
// Key Vault references.

targetScope = 'subscription'

import { tenant } from 'modules/types.bicep'

@description('Name of the environment (azd: AZURE_ENV_NAME); part of every resource name.')
@minLength(1)
@maxLength(40)
param environmentName string

@description('Azure region of every resource (azd: AZURE_LOCATION). Flex Consumption is not in every region.')
@minLength(1)
param location string

@description('Resource group to create; empty for rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the principal that deploys (azd: AZURE_PRINCIPAL_ID); gets Key Vault Secrets Officer so it can store tenant credential hashes. Empty: no assignment.')
param deployerPrincipalId string = ''

@description('Kind of the deploying principal: User for a person, ServicePrincipal for a pipeline.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param deployerPrincipalType string = 'User'

// --- ingest log -------------------------------------------------------------------------------------

@description('Shards of the ingest log = partitions of the event hub (PromLake:EventHubs:ShardCount). Can grow later, never shrink; Standard allows up to 32.')
@minValue(1)
@maxValue(32)
param shardCount int = 4

@description('Event Hubs throughput units to start with (1 MB/s or 1,000 events/s of ingress each).')
@minValue(1)
@maxValue(40)
param eventHubsThroughputUnits int = 1

@description('Let Event Hubs add throughput units under load, up to eventHubsMaximumThroughputUnits.')
param eventHubsAutoInflate bool = true

@description('Upper limit for auto-inflate.')
@minValue(1)
@maxValue(40)
param eventHubsMaximumThroughputUnits int = 4

@description('Days events stay in the hub (1-7): how long the compactor may be down without losing data.')
@minValue(1)
@maxValue(7)
param eventHubsRetentionDays int = 3

// --- data -------------------------------------------------------------------------------------------

@description('Redundancy of the data account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param dataStorageSku string = 'Standard_LRS'

@description('Days after which data blocks move to the cool tier; keep it at least 30 below retentionDays.')
@minValue(1)
param coolAfterDays int = 30

@description('Days after which data blocks are deleted: the longest retention of any tenant (395 = 13 months).')
@minValue(2)
param retentionDays int = 395

// --- app --------------------------------------------------------------------------------------------

@description('.NET version of the isolated worker (Flex Consumption: 8.0, 9.0 or 10.0).')
@allowed([
  '10.0'
])
param dotnetVersion string = '10.0'

@description('Memory per instance in MB. 2048 leaves room for the 100 MiB decompressed-body limit at the default concurrency.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Concurrent HTTP requests per instance the plan scales on (Flex default for 2048 MB: 16).')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('Tenants and their credentials. Store each credential\'s SecretHash in the key vault under secretName first (see infra/README.md).')
param tenants tenant[] = []

@description('PromLake:Limits defaults for every tenant, e.g. { "IngestionRate": 20000 }; empty keeps the built-in defaults.')
param defaultLimits object = {}

// --- monitoring and secrets -------------------------------------------------------------------------

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Daily cap on log ingestion in GB (-1: none).')
param logDailyCapGb int = 5

@description('Purge protection on the key vault (recommended in production; blocks `azd down --purge`).')
param keyVaultPurgeProtection bool = false

var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'promlake'
}
// Names are fixed at deployment time (not taken from module outputs), so What-If can predict every
// resource, including the role assignments whose names derive from them.
var names = {
  identity: 'id-promlake-${token}'
  workspace: 'log-promlake-${token}'
  appInsights: 'appi-promlake-${token}'
  hostStorage: 'stfn${token}'
  dataStorage: 'stdata${token}'
  eventHubsNamespace: 'evhns-promlake-${token}'
  eventHub: 'promlake-ingest'
  compactorConsumerGroup: 'compactor'
  queryConsumerGroup: 'query'
  keyVault: 'kv-pl-${token}'
  plan: 'plan-promlake-${token}'
  functionApp: 'func-promlake-${token}'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'promlake-identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'promlake-monitoring'
  scope: rg
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: tags
    retentionInDays: logRetentionDays
    dailyQuotaGb: logDailyCapGb
  }
}

module hostStorage 'modules/host-storage.bicep' = {
  name: 'promlake-host-storage'
  scope: rg
  params: {
    name: names.hostStorage
    location: location
    tags: tags
    deploymentContainerName: 'app-package'
  }
}

module dataStorage 'modules/data-storage.bicep' = {
  name: 'promlake-data-storage'
  scope: rg
  params: {
    name: names.dataStorage
    location: location
    tags: tags
    skuName: dataStorageSku
    dataContainerName: 'promlake'
    checkpointContainerName: 'promlake-checkpoints'
    coolAfterDays: coolAfterDays
    retentionDays: retentionDays
  }
}

module eventHubs 'modules/event-hubs.bicep' = {
  name: 'promlake-event-hubs'
  scope: rg
  params: {
    namespaceName: names.eventHubsNamespace
    hubName: names.eventHub
    location: location
    tags: tags
    partitionCount: shardCount
    throughputUnits: eventHubsThroughputUnits
    autoInflate: eventHubsAutoInflate
    maximumThroughputUnits: eventHubsMaximumThroughputUnits
    retentionDays: eventHubsRetentionDays
    consumerGroupName: names.compactorConsumerGroup
    queryConsumerGroupName: names.queryConsumerGroup
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'promlake-key-vault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
  }
}

module appRoles 'modules/app-roles.bicep' = {
  name: 'promlake-app-roles'
  scope: rg
  dependsOn: [
    identity
    monitoring
    hostStorage
    dataStorage
    eventHubs
    keyVault
  ]
  params: {
    appIdentityName: names.identity
    hostStorageAccountName: names.hostStorage
    dataStorageAccountName: names.dataStorage
    eventHubsNamespaceName: names.eventHubsNamespace
    eventHubName: names.eventHub
    appInsightsName: names.appInsights
    keyVaultName: names.keyVault
    deployerPrincipalId: deployerPrincipalId
    deployerPrincipalType: deployerPrincipalType
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'promlake-function-app'
  scope: rg
  // The roles first: the app reads its package, host storage and Key Vault references as soon as it starts.
  dependsOn: [
    appRoles
  ]
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: tags
    azdServiceName: 'promlake'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentContainerUrl: hostStorage.outputs.deploymentContainerUrl
    hostStorageAccountName: hostStorage.outputs.name
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    eventHubName: eventHubs.outputs.hubName
    consumerGroupName: eventHubs.outputs.consumerGroupName
    queryConsumerGroupName: eventHubs.outputs.queryConsumerGroupName
    shardCount: shardCount
    dataBlobEndpoint: dataStorage.outputs.blobEndpoint
    dataContainerName: dataStorage.outputs.dataContainerName
    checkpointContainerName: dataStorage.outputs.checkpointContainerName
    keyVaultUri: keyVault.outputs.uri
    tenants: tenants
    defaultLimits: defaultLimits
    dotnetVersion: dotnetVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
  }
}

@description('Where Prometheus sends remote_write.')
output PROMLAKE_REMOTE_WRITE_URL string = 'https://${functionApp.outputs.defaultHostName}/api/v1/write'

@description('The Prometheus-compatible query API (Grafana\'s Prometheus data source URL; /api/v1/query_range etc. below it).')
output PROMLAKE_QUERY_URL string = 'https://${functionApp.outputs.defaultHostName}'

@description('Resource group of the deployment.')
output AZURE_RESOURCE_GROUP string = rg.name

@description('Name of the Function App.')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Name of the key vault that holds tenant credential hashes.')
output PROMLAKE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('Name of the data storage account (for DuckDB/Spark over the Parquet blocks).')
output PROMLAKE_DATA_STORAGE_ACCOUNT string = dataStorage.outputs.name
