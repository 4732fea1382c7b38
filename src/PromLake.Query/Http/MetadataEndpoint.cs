using System.Globalization;

namespace PromLake.Query.Http;

/// <summary>
/// <c>GET /api/v1/metadata</c>: <c>{"&lt;metric&gt;":[{"type":…,"help":…,"unit":…}]}</c> for the tenant, for one
/// <c>metric</c> or all; <c>limit</c> caps the metric families, <c>limit_per_metric</c> the entries of each.
/// </summary>
public sealed class MetadataEndpoint(ITenantResolver tenants, ITenantMetadataSource? metadata = null) : QueryApiEndpoint(tenants)
{
    private protected override async Task<ApiResult> ExecuteAsync(ApiCall call)
    {
        var p = call.Parameters;
        // Unlike the other limits, Prometheus reads these with a bare Atoi: -1 (or any negative) is "no limit".
        var limit = Number(p.Get("limit"), "limit must be a number");
        var limitPerMetric = Number(p.Get("limit_per_metric"), "limit_per_metric must be a number");
        var metric = p.Get("metric");

        var entries = metadata is null
            ? []
            : await metadata.ForTenant(call.Tenant).MetadataAsync(metric.Length == 0 ? null : metric, call.Aborted).ConfigureAwait(false);
        var byMetric = new SortedDictionary<string, List<MetricMetadata>>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (!byMetric.TryGetValue(e.MetricFamily, out var list))
            {
                if (limit >= 0 && byMetric.Count >= limit)
                {
                    continue;
                }

                list = [];
                byMetric[e.MetricFamily] = list;
            }

            if ((limitPerMetric <= 0 || list.Count < limitPerMetric) && !list.Contains(e))
            {
                list.Add(e);
            }
        }

        return ApiResult.Data(w =>
        {
            w.WriteStartObject();
            foreach (var (name, list) in byMetric)
            {
                w.WritePropertyName(name);
                w.WriteStartArray();
                foreach (var m in list)
                {
                    w.WriteStartObject();
                    w.WriteString("type"u8, m.Type);
                    w.WriteString("help"u8, m.Help);
                    w.WriteString("unit"u8, m.Unit);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        });
    }

    private static int Number(string s, string error)
    {
        if (s.Length == 0)
        {
            return -1;
        }

        return int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ApiErrorException(ApiError.BadData(error));
    }
}
