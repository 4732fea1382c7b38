// The ingest log: an Event Hubs namespace (Standard) with one hub whose partitions are PromLake's
// shards (a series always lands in one partition, see ARCHITECTURE.md), and the compactor's consumer
// group. Local (SAS key) authentication is disabled: senders and receivers need Entra ID and a role.

@description('Name of the Event Hubs namespace (6-50 characters, globally unique).')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Name of the event hub.')
param hubName string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object

@description('Partitions of the hub = PromLake\'s shard count (PromLake:EventHubs:ShardCount). Standard allows up to 32; a hub\'s partition count can grow but never shrink.')
@minValue(1)
@maxValue(32)
param partitionCount int

@description('Throughput units at deployment (each: 1 MB/s or 1,000 events/s in, 2 MB/s or 4,096 events/s out).')
@minValue(1)
@maxValue(40)
param throughputUnits int

@description('Let Event Hubs raise the throughput units under load, up to maximumThroughputUnits (it never lowers them by itself).')
param autoInflate bool

@description('Upper limit for auto-inflate; ignored when autoInflate is false.')
@minValue(1)
@maxValue(40)
param maximumThroughputUnits int

@description('Days events stay in the hub (Standard: 1-7): how long the compactor may fall behind or be down without losing data.')
@minValue(1)
@maxValue(7)
param retentionDays int

@description('The compactor\'s consumer group.')
param consumerGroupName string

@description('The consumer group queries read the log tail in (data not yet compacted); must differ from the compactor\'s.')
param queryConsumerGroupName string

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: throughputUnits
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    isAutoInflateEnabled: autoInflate
    // Must be 0 when auto-inflate is off, and at least the capacity when it is on.
    maximumThroughputUnits: autoInflate ? max(maximumThroughputUnits, throughputUnits) : 0
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: hubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: retentionDays
  }
}

resource compactorGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: hub
  name: consumerGroupName
  properties: {
    userMetadata: 'PromLake compactor: one reader per partition, owner chosen by a blob lease'
  }
}

resource queryGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: hub
  name: queryConsumerGroupName
  properties: {
    userMetadata: 'PromLake queries: short reads of the tail past the compactor checkpoint, no owner level'
  }
}

@description('Name of the namespace.')
output namespaceName string = namespace.name

@description('Fully qualified namespace host name, e.g. <namespace>.servicebus.windows.net (from the service endpoint, so other clouds work too).')
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]

@description('Name of the event hub.')
output hubName string = hub.name

@description('Name of the compactor\'s consumer group.')
output consumerGroupName string = compactorGroup.name

@description('Name of the queries\' consumer group.')
output queryConsumerGroupName string = queryGroup.name
