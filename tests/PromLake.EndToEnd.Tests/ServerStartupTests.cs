using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace PromLake.EndToEnd.Tests;

/// <summary>What an operator does before the first write: make a credential, configure it, start the server.</summary>
public sealed class ServerStartupTests : TemporaryDirectory
{
    [Fact]
    public async Task A_bearer_token_from_the_credential_command_authenticates_a_production_server()
    {
        var (output, exitCode) = await RunServerCommandAsync("credential", "create", "--tenant", "acme", "--bearer");
        Assert.Equal(0, exitCode);
        var token = output.Split('\n').Single(l => l.StartsWith("# token: ", StringComparison.Ordinal))["# token: ".Length..].Trim();
        var json = string.Join('\n', output.Split('\n').SkipWhile(l => !l.StartsWith('{')).TakeWhile(l => !l.StartsWith('#')));
        var credential = JsonDocument.Parse(json).RootElement.GetProperty("PromLake").GetProperty("Tenants").GetProperty("acme").GetProperty("Credentials")[0];
        Assert.DoesNotContain(token.Split('_').Last(), json);

        await using var server = await StandaloneServer.StartAsync(TestDirectory, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["PromLake__Tenants__acme__Credentials__0__Type"] = credential.GetProperty("Type").GetString()!,
            ["PromLake__Tenants__acme__Credentials__0__Id"] = credential.GetProperty("Id").GetString()!,
            ["PromLake__Tenants__acme__Credentials__0__SecretHash"] = credential.GetProperty("SecretHash").GetString()!,
        });
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.NoContent, (await PostCaptureAsync(http, server.Url, new AuthenticationHeaderValue("Bearer", token))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostCaptureAsync(http, server.Url, new AuthenticationHeaderValue("Bearer", token + "x"))).StatusCode);
        var metrics = await http.GetStringAsync(server.Url + "/metrics");
        Assert.Contains("promlake_ingest_samples_total{tenant=\"acme\"} 1", metrics);
    }

    [Fact]
    public async Task Outside_development_the_server_refuses_to_start_with_the_dev_credential()
    {
        var (output, _) = await RunServerCommandAsync("credential", "create", "--tenant", "dev", "--basic", "dev", "--password-stdin");
        var hash = JsonDocument.Parse(string.Join('\n', output.Split('\n').SkipWhile(l => !l.StartsWith('{')).TakeWhile(l => !l.StartsWith('#'))))
            .RootElement.GetProperty("PromLake").GetProperty("Tenants").GetProperty("dev").GetProperty("Credentials")[0].GetProperty("SecretHash").GetString()!;

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StandaloneServer.StartAsync(TestDirectory, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["PromLake__Tenants__dev__Credentials__0__Type"] = "basic",
            ["PromLake__Tenants__dev__Credentials__0__Username"] = "dev",
            ["PromLake__Tenants__dev__Credentials__0__SecretHash"] = hash,
        }));

        Assert.Contains("refusing to start", e.Message);
        Assert.Contains("dev/dev", e.Message);
    }

    private static async Task<HttpResponseMessage> PostCaptureAsync(HttpClient http, string url, AuthenticationHeaderValue auth)
    {
        // A one-sample RW 1.0 request: up{job="e2e"} 1 @ 1700000000000, snappy-compressed.
        var request = new PromLake.Protocol.Prompb.WriteRequest();
        var series = new PromLake.Protocol.Prompb.TimeSeries();
        series.Labels.Add(new PromLake.Protocol.Prompb.Label { Name = "__name__", Value = "up" });
        series.Labels.Add(new PromLake.Protocol.Prompb.Label { Name = "job", Value = "e2e" });
        series.Samples.Add(new PromLake.Protocol.Prompb.Sample { Value = 1, Timestamp = 1_700_000_000_000 });
        request.Timeseries.Add(series);
        var message = new HttpRequestMessage(HttpMethod.Post, url + "/api/v1/write")
        {
            Content = new ByteArrayContent(Snappier.Snappy.CompressToArray(Google.Protobuf.MessageExtensions.ToByteArray(request))),
        };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-protobuf");
        message.Content.Headers.ContentEncoding.Add("snappy");
        message.Headers.Authorization = auth;
        return await http.SendAsync(message);
    }

    private static async Task<(string Output, int ExitCode)> RunServerCommandAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryPaths.ServerDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync("dev");
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (output, process.ExitCode);
    }
}
