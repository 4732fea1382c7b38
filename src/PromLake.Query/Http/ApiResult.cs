using System.Text.Json;

namespace PromLake.Query.Http;

/// <summary>
/// What an endpoint answers: an error, data (written by <see cref="WriteData"/> inside the envelope),
/// or nothing (204, as Prometheus when an endpoint has no data). Warnings and infos ride beside data.
/// </summary>
internal sealed class ApiResult
{
    private ApiResult(ApiError? error, Func<JsonResponseStream, ValueTask>? writeData, IReadOnlyList<string> warnings, IReadOnlyList<string> infos)
    {
        Error = error;
        WriteData = writeData;
        Warnings = warnings;
        Infos = infos;
    }

    public ApiError? Error { get; }

    public Func<JsonResponseStream, ValueTask>? WriteData { get; }

    public IReadOnlyList<string> Warnings { get; }

    public IReadOnlyList<string> Infos { get; }

    public static ApiResult NoContent { get; } = new(null, null, [], []);

    public static ApiResult Fail(ApiError error) => new(error, null, [], []);

    public static ApiResult Data(Func<JsonResponseStream, ValueTask> writeData, IReadOnlyList<string>? warnings = null, IReadOnlyList<string>? infos = null) =>
        new(null, writeData, warnings ?? [], infos ?? []);

    /// <summary>Data that fits in one synchronous write.</summary>
    public static ApiResult Data(Action<Utf8JsonWriter> writeData, IReadOnlyList<string>? warnings = null) =>
        new(null, s =>
        {
            writeData(s.Writer);
            return ValueTask.CompletedTask;
        }, warnings ?? [], []);

    /// <summary>A sorted list of strings (label names or values), truncated to <paramref name="limit"/> with Prometheus's warning.</summary>
    public static ApiResult Strings(List<string> values, int limit)
    {
        values.Sort(StringComparer.Ordinal);
        var warnings = Truncate(values, limit);
        return Data(w =>
        {
            w.WriteStartArray();
            foreach (var v in values)
            {
                w.WriteStringValue(v);
            }

            w.WriteEndArray();
        }, warnings);
    }

    /// <summary>Cuts a list to <paramref name="limit"/> (0: no limit), returning the warning Prometheus adds when it did.</summary>
    public static IReadOnlyList<string> Truncate<T>(List<T> list, int limit)
    {
        if (limit > 0 && list.Count > limit)
        {
            list.RemoveRange(limit, list.Count - limit);
            return [TruncatedWarning];
        }

        return [];
    }

    public const string TruncatedWarning = "results truncated due to limit";
}

/// <summary>The JSON writer of a response and the means to push what it has written to the client.</summary>
internal sealed class JsonResponseStream(Utf8JsonWriter writer, System.IO.Pipelines.PipeWriter pipe, CancellationToken ct)
{
    private const int FlushThreshold = 64 * 1024;

    public Utf8JsonWriter Writer { get; } = writer;

    /// <summary>Sends what is written so far once it is large, so big results stream instead of piling up.</summary>
    public async ValueTask FlushIfLargeAsync()
    {
        if (Writer.BytesPending >= FlushThreshold)
        {
            Writer.Flush();
            await pipe.FlushAsync(ct).ConfigureAwait(false);
        }
    }
}
