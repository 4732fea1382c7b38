using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PromLake.Log.Tests.Blobs;
using PromLake.Query.Http;

namespace PromLake.Functions.Tests;

/// <summary>The query triggers, called directly as the worker calls them, over the app's real wiring.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueryApiFunctionsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const long SampleTime = FunctionsApp.SampleTime;
    private FunctionsApp _app = null!;

    public Task InitializeAsync()
    {
        _app = new FunctionsApp(azurite, blobCheckpoints: false);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public void There_is_one_anonymous_trigger_per_query_api_route_with_its_path_and_methods()
    {
        var triggers = typeof(QueryApiFunctions).GetMethods()
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).SingleOrDefault(t => t is not null)))
            .Where(t => t.Function is not null)
            .ToList();

        Assert.All(triggers, t => Assert.Equal(AuthorizationLevel.Anonymous, t.Trigger!.AuthLevel));
        var declared = triggers.Select(t => Describe(t.Trigger!.Route!, t.Trigger.Methods!)).Order().ToList();
        var expected = QueryApiRoutes.All.Select(r => Describe(r.Pattern.TrimStart('/'), r.Methods)).Order().ToList();
        Assert.Equal(expected, declared);
        Assert.Equal(triggers.Count, triggers.Select(t => t.Function!.Name).Distinct().Count());

        static string Describe(string route, IEnumerable<string> methods) =>
            route + " " + string.Join(",", methods.Select(m => m.ToUpperInvariant()).Order());
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task A_sample_written_through_the_write_function_is_answered_by_the_query_function(string method)
    {
        Assert.Equal(StatusCodes.Status204NoContent, await _app.WriteAsync([("up", "a:9090", 42, SampleTime)]));

        var context = _app.QueryRequest(method, "/api/v1/query", $"query=up&time={SampleTime / 1000}");
        var result = await _app.QueryFunctions.QueryAsync(context.Request);

        Assert.IsType<EmptyResult>(result);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        using var json = FunctionsApp.Json(context);
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        var vector = json.RootElement.GetProperty("data").GetProperty("result");
        var sample = Assert.Single(vector.EnumerateArray());
        Assert.Equal("up", sample.GetProperty("metric").GetProperty("__name__").GetString());
        Assert.Equal("a:9090", sample.GetProperty("metric").GetProperty("instance").GetString());
        Assert.Equal(SampleTime / 1000.0, sample.GetProperty("value")[0].GetDouble());
        Assert.Equal("42", sample.GetProperty("value")[1].GetString());
    }

    [Fact]
    public async Task The_range_query_and_label_values_functions_answer_from_the_same_store()
    {
        Assert.Equal(StatusCodes.Status204NoContent, await _app.WriteAsync([("up", "a:9090", 1, SampleTime), ("up", "a:9090", 2, SampleTime + 15_000)]));

        var range = _app.QueryRequest("GET", "/api/v1/query_range", $"query=up&start={SampleTime / 1000}&end={(SampleTime / 1000) + 15}&step=15");
        await _app.QueryFunctions.QueryRangeAsync(range.Request);
        using (var json = FunctionsApp.Json(range))
        {
            var series = Assert.Single(json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray());
            Assert.Equal(["1", "2"], series.GetProperty("values").EnumerateArray().Select(v => v[1].GetString()));
        }

        // The trigger's route has {name}; the endpoint takes it from the path as well.
        var values = _app.QueryRequest("GET", "/api/v1/label/instance/values", "");
        await _app.QueryFunctions.LabelValuesAsync(values.Request);
        using (var json = FunctionsApp.Json(values))
        {
            Assert.Equal(["a:9090"], json.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetString()));
        }
    }

    [Fact]
    public async Task The_query_function_answers_401_for_a_wrong_password()
    {
        Assert.Equal(StatusCodes.Status204NoContent, await _app.WriteAsync([("up", "a:9090", 42, SampleTime)]));

        var context = _app.QueryRequest("GET", "/api/v1/query", $"query=up&time={SampleTime / 1000}", FunctionsApp.Basic(FunctionsApp.User, "nope"));
        await _app.QueryFunctions.QueryAsync(context.Request);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Contains(context.Response.Headers.WWWAuthenticate, c => c!.StartsWith("Basic", StringComparison.Ordinal));
        Assert.DoesNotContain("42", FunctionsApp.Text(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_query_trigger_reaches_an_endpoint_that_refuses_a_missing_credential()
    {
        var functions = _app.QueryFunctions;
        var triggers = typeof(QueryApiFunctions).GetMethods().Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null).ToList();
        Assert.Equal(QueryApiRoutes.All.Count, triggers.Count);
        foreach (var trigger in triggers)
        {
            var route = trigger.GetParameters()[0].GetCustomAttribute<HttpTriggerAttribute>()!;
            var path = "/" + route.Route!.Replace("{name}", "job", StringComparison.Ordinal);
            var context = _app.QueryRequest(route.Methods![0].ToUpperInvariant(), path, "", authorization: "");

            var result = await (Task<IActionResult>)trigger.Invoke(functions, [context.Request])!;

            Assert.IsType<EmptyResult>(result);
            Assert.True(context.Response.StatusCode == StatusCodes.Status401Unauthorized, $"{path}: {context.Response.StatusCode}");
        }
    }
}
