using System.Text.Json;
using PromLake.Query.PromQL.Engine;

namespace PromLake.Query.Http;

/// <summary>
/// The <c>data</c> of a query answer: <c>{"resultType":"vector","result":[…]}</c>, with Prometheus's shapes
/// (web/api/v1/json_codec.go): a vector sample is <c>{"metric":{…},"value":[t,"v"]}</c> or
/// <c>{"metric":{…},"histogram":[t,{…}]}</c>; a series is <c>{"metric":{…},"values":[[t,"v"],…]}</c> with
/// <c>"histograms"</c> beside or instead; a scalar or string is <c>[t,"v"]</c>.
/// </summary>
internal static class QueryValueJson
{
    public static async ValueTask WriteAsync(JsonResponseStream stream, QueryValue value)
    {
        var w = stream.Writer;
        w.WriteStartObject();
        w.WriteString("resultType"u8, ResultType(value));
        w.WritePropertyName("result"u8);
        switch (value)
        {
            case VectorValue v:
                w.WriteStartArray();
                foreach (var s in v.Samples)
                {
                    WriteSample(w, s);
                    await stream.FlushIfLargeAsync().ConfigureAwait(false);
                }

                w.WriteEndArray();
                break;
            case MatrixValue m:
                w.WriteStartArray();
                foreach (var s in m.Series)
                {
                    WriteSeries(w, s);
                    await stream.FlushIfLargeAsync().ConfigureAwait(false);
                }

                w.WriteEndArray();
                break;
            case ScalarValue s:
                w.WriteStartArray();
                PromJson.WriteTimestamp(w, s.T);
                PromJson.WriteFloat(w, s.V);
                w.WriteEndArray();
                break;
            case StringValue s:
                w.WriteStartArray();
                PromJson.WriteTimestamp(w, s.T);
                w.WriteStringValue(s.V);
                w.WriteEndArray();
                break;
        }

        w.WriteEndObject();
    }

    public static string ResultType(QueryValue value) => value switch
    {
        VectorValue => "vector",
        MatrixValue => "matrix",
        ScalarValue => "scalar",
        _ => "string",
    };

    private static void WriteSample(Utf8JsonWriter w, Sample s)
    {
        w.WriteStartObject();
        w.WritePropertyName("metric"u8);
        PromJson.WriteLabels(w, s.Metric);
        if (s.H is { } h)
        {
            w.WritePropertyName("histogram"u8);
            w.WriteStartArray();
            PromJson.WriteTimestamp(w, s.T);
            PromJson.WriteHistogram(w, h);
            w.WriteEndArray();
        }
        else
        {
            w.WritePropertyName("value"u8);
            w.WriteStartArray();
            PromJson.WriteTimestamp(w, s.T);
            PromJson.WriteFloat(w, s.F);
            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteSeries(Utf8JsonWriter w, Series s)
    {
        w.WriteStartObject();
        w.WritePropertyName("metric"u8);
        PromJson.WriteLabels(w, s.Metric);
        if (s.Floats.Count > 0)
        {
            w.WritePropertyName("values"u8);
            w.WriteStartArray();
            foreach (var p in s.Floats)
            {
                w.WriteStartArray();
                PromJson.WriteTimestamp(w, p.T);
                PromJson.WriteFloat(w, p.F);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        if (s.Histograms.Count > 0)
        {
            w.WritePropertyName("histograms"u8);
            w.WriteStartArray();
            foreach (var p in s.Histograms)
            {
                w.WriteStartArray();
                PromJson.WriteTimestamp(w, p.T);
                PromJson.WriteHistogram(w, p.H);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }
}
