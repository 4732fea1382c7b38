// The storage account for PromLake's data: Parquet blocks under <container>/<tenant>/<yyyy>/<mm>/<dd>/<hh>/,
// and, in a container of their own, the compactor's checkpoints and shard leases (PromLake:Checkpoints). Shared keys are off
// (Entra ID only), TLS 1.2 minimum, HTTPS only, no anonymous access. A lifecycle policy moves data
// blobs to the cool tier after a while and deletes them after the longest retention any tenant has;
// it is limited to the data container, so checkpoints and leases are never tiered or deleted.

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags object

@description('Redundancy of the account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string

@description('Container of the Parquet blocks.')
param dataContainerName string

@description('Container of the compactor\'s checkpoints and shard leases (small, never tiered or deleted by policy).')
param checkpointContainerName string

@description('Days after its last modification that a data blob moves to the cool tier. Keep it at least 30 days below retentionDays: cool blobs deleted earlier than 30 days are billed for 30.')
@minValue(1)
param coolAfterDays int

@description('Days after its last modification that a data blob is deleted: the longest retention of any tenant.')
@minValue(2)
param retentionDays int

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    // A deleted container (an operator's mistake) can be restored for a week; blobs the lifecycle
    // policy deletes are gone at once, so retention costs no extra storage.
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource dataContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: dataContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource checkpointContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: checkpointContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'promlake-data-tiering-and-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${dataContainer.name}/'
              ]
            }
            actions: {
              baseBlob: {
                tierToCool: {
                  daysAfterModificationGreaterThan: coolAfterDays
                }
                delete: {
                  daysAfterModificationGreaterThan: retentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

@description('Name of the storage account.')
output name string = account.name

@description('Blob service endpoint, e.g. https://<account>.blob.core.windows.net/.')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Container of the Parquet blocks.')
output dataContainerName string = dataContainer.name

@description('Container of the compactor\'s checkpoints and leases.')
output checkpointContainerName string = checkpointContainer.name
