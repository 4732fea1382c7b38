// Parameter types shared by main.bicep and function-app.bicep.

@export()
@description('One way to authenticate as a tenant (PromLake:Tenants:<id>:Credentials:<n>). The secret\'s salted hash, as printed by `credential create`, lives in Key Vault under secretName; the app setting holds only a Key Vault reference to it.')
type credential = {
  @description('basic (Prometheus basic_auth) or bearer (Prometheus authorization).')
  type: 'basic' | 'bearer'

  @description('basic only: the user name.')
  username: string?

  @description('bearer only: the token\'s public id (the part of plk_<id>_<secret> before the secret, as printed by `credential create`).')
  id: string?

  @description('Name of the Key Vault secret whose value is the credential\'s SecretHash (letters, digits and hyphens).')
  @minLength(1)
  @maxLength(127)
  secretName: string
}

@export()
@description('A tenant: its credentials and, optionally, limits that differ from the defaults.')
type tenant = {
  @description('The tenant id (blob prefix, metrics label).')
  @minLength(1)
  id: string

  @description('At least one credential.')
  @minLength(1)
  credentials: credential[]

  @description('Overrides of PromLake:Limits for this tenant, e.g. { IngestionRate: 50000 }.')
  limits: object?
}
