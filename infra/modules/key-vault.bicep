// Key Vault for tenant credentials, in RBAC mode (no access policies). The Function App reads secrets
// through Key Vault references in its app settings, as its user-assigned identity (Key Vault Secrets
// User, see app-roles.bicep). Secrets are written by an operator (Key Vault Secrets Officer), never by
// this template, so no secret value passes through a deployment or its history.

@description('Name of the vault (3-24 letters, digits and hyphens, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags object

@description('Turn on purge protection: recommended in production, but then a deleted vault (and its name) is held for the whole soft-delete period and cannot be purged.')
param enablePurgeProtection bool

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // The API refuses an explicit false; leaving the property out means "off".
    enablePurgeProtection: enablePurgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('URI of the vault, ending in a slash, e.g. https://<vault>.vault.azure.net/.')
output uri string = vault.properties.vaultUri
