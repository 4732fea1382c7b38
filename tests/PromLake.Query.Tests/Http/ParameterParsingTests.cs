using PromLake.Query.Http;

namespace PromLake.Query.Tests.Http;

/// <summary>Timestamps and durations parse as Prometheus's parseTime and parseDuration.</summary>
public sealed class ParameterParsingTests
{
    [Theory]
    [InlineData("2015-07-01T20:10:51.781Z", 1435781451781)]
    [InlineData("2019-07-07T20:47:40+03:00", 1562521660000)]
    [InlineData("2020-02-21T16:07:49.433999999Z", 1582301269433)]
    [InlineData("1435781451.781", 1435781451781)]
    [InlineData("1562529662.324", 1562529662324)]
    [InlineData("-1.5", -1500)]
    [InlineData("1e3", 1000000)]
    [InlineData("0", 0)]
    [InlineData("-292273086-05-16T16:47:06Z", ParameterParsing.MinTimeMs)]
    [InlineData("292277025-08-18T07:12:54.999999999Z", ParameterParsing.MaxTimeMs)]
    public void Timestamps_parse_as_Prometheus_does(string text, long expectedMs)
    {
        Assert.True(ParameterParsing.TryParseTime(text, out var ms, out var error), error);
        Assert.Equal(expectedMs, ms);
    }

    [Theory]
    [InlineData("")]
    [InlineData("now")]
    [InlineData(" 1")]
    [InlineData("2015-07-01 20:10:51Z")]
    [InlineData("2015-02-30T00:00:00Z")]
    [InlineData("NaN")]
    public void Malformed_timestamps_are_refused(string text)
    {
        Assert.False(ParameterParsing.TryParseTime(text, out _, out var error));
        Assert.Equal($"cannot parse \"{text}\" to a valid timestamp", error);
    }

    [Theory]
    [InlineData("15s", 15_000_000_000)]
    [InlineData("1h30m", 5_400_000_000_000)]
    [InlineData("1.5", 1_500_000_000)]
    [InlineData("0.001", 1_000_000)]
    [InlineData("0", 0)]
    [InlineData("-1", -1_000_000_000)]
    [InlineData("100ms", 100_000_000)]
    public void Durations_parse_as_float_seconds_or_Prometheus_durations(string text, long expectedNs)
    {
        Assert.True(ParameterParsing.TryParseDuration(text, out var ns, out var error), error);
        Assert.Equal(expectedNs, ns);
    }

    [Theory]
    [InlineData("5x", "cannot parse \"5x\" to a valid duration")]
    [InlineData("1m1h", "cannot parse \"1m1h\" to a valid duration")]
    [InlineData("1e300", "cannot parse \"1e300\" to a valid duration. It overflows int64")]
    public void Malformed_durations_are_refused_with_Prometheus_messages(string text, string message)
    {
        Assert.False(ParameterParsing.TryParseDuration(text, out _, out var error));
        Assert.Equal(message, error);
    }
}
