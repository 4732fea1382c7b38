using PromLake.Query.RemoteRead;

namespace PromLake.Query.Http;

/// <summary>One route of the query API: the HTTP methods, the path template, and the handler type.</summary>
public sealed record QueryApiRoute(string[] Methods, string Pattern, Type Endpoint);

/// <summary>
/// Every route of the Prometheus query API and remote read, with Prometheus's own paths. The standalone server
/// maps them all with <see cref="QueryApiEndpointRouteBuilderExtensions.MapPromLakeQueryApi"/>; the Functions app
/// declares one trigger per route (host.json's <c>routePrefix</c> is "") calling the endpoint's <c>HandleAsync</c>.
/// </summary>
public static class QueryApiRoutes
{
    private static readonly string[] Get = ["GET"];
    private static readonly string[] GetPost = ["GET", "POST"];
    private static readonly string[] Post = ["POST"];

    public static IReadOnlyList<QueryApiRoute> All { get; } =
    [
        new(GetPost, "/api/v1/query", typeof(InstantQueryEndpoint)),
        new(GetPost, "/api/v1/query_range", typeof(RangeQueryEndpoint)),
        new(GetPost, "/api/v1/series", typeof(SeriesEndpoint)),
        new(GetPost, "/api/v1/labels", typeof(LabelNamesEndpoint)),
        new(Get, "/api/v1/label/{" + LabelValuesEndpoint.NameRouteValue + "}/values", typeof(LabelValuesEndpoint)),
        new(Get, "/api/v1/metadata", typeof(MetadataEndpoint)),
        new(GetPost, "/api/v1/query_exemplars", typeof(QueryExemplarsEndpoint)),
        new(Get, "/api/v1/status/buildinfo", typeof(BuildInfoEndpoint)),
        new(Get, "/api/v1/rules", typeof(RulesEndpoint)),
        new(Post, "/api/v1/read", typeof(RemoteReadEndpoint)),
    ];
}
