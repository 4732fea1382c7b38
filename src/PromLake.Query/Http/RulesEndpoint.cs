namespace PromLake.Query.Http;

/// <summary>
/// <c>GET /api/v1/rules</c>: PromLake evaluates no rules, so the answer is <c>{"groups":[]}</c>. Grafana's
/// Prometheus data source loads rules when it starts (for recording-rule hints) and logs a failure otherwise.
/// </summary>
public sealed class RulesEndpoint(ITenantResolver tenants) : QueryApiEndpoint(tenants)
{
    private protected override Task<ApiResult> ExecuteAsync(ApiCall call) =>
        Task.FromResult(ApiResult.Data(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("groups"u8);
            w.WriteStartArray();
            w.WriteEndArray();
            w.WriteEndObject();
        }));
}
