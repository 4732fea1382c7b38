// The one identity of the PromLake app. Every client in the Function App (the Functions host's own
// storage, Event Hubs, the data account, Application Insights, Key Vault references, the deployment
// package) authenticates as this user-assigned identity; nothing holds a key or a connection string.
// A user-assigned identity (rather than the system-assigned one) exists before the app does, so its
// role assignments can be created, and can propagate, before the app first starts.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id, for the app\'s identity block and Key Vault references.')
output id string = identity.id

@description('Client (application) id: what the SDK clients and the Functions host ask tokens for.')
output clientId string = identity.properties.clientId

@description('Object (principal) id: what role assignments grant to.')
output principalId string = identity.properties.principalId
