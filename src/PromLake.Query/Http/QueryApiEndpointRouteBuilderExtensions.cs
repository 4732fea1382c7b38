using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PromLake.Query.RemoteRead;

namespace PromLake.Query.Http;

public static class QueryApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every route of <see cref="QueryApiRoutes.All"/> to its endpoint. The endpoints are resolved here, so a
    /// missing <see cref="ITenantResolver"/> or <see cref="ITenantSeriesSource"/> or invalid options stop the
    /// start-up instead of the first request. Returns the group, for conventions such as CORS.
    /// </summary>
    public static RouteGroupBuilder MapPromLakeQueryApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(string.Empty);
        foreach (var route in QueryApiRoutes.All)
        {
            var endpoint = endpoints.ServiceProvider.GetRequiredService(route.Endpoint);
            RequestDelegate handler = endpoint switch
            {
                QueryApiEndpoint api => api.HandleAsync,
                RemoteReadEndpoint read => read.HandleAsync,
                _ => throw new InvalidOperationException($"{route.Endpoint.Name} is not a query API endpoint"),
            };
            group.MapMethods(route.Pattern, route.Methods, handler);
        }

        return group;
    }
}
