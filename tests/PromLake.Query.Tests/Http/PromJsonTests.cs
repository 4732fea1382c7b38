using System.Text;
using CsCheck;
using PromLake.Query.Http;

namespace PromLake.Query.Tests.Http;

/// <summary>Values and timestamps are formatted byte for byte as Prometheus's jsonutil.</summary>
public sealed class PromJsonTests
{
    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(100.0, "100")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1.5e20, "150000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(-1.5e22, "-1.5e+22")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(1.234e-6, "0.000001234")]
    [InlineData(1e-7, "1e-07")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(0.3333333333333333, "0.3333333333333333")]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void Sample_values_format_as_Go_FormatFloat(double value, string expected)
    {
        var buf = new byte[PromJson.MaxFloatLength];
        var n = PromJson.FormatFloat(value, buf);

        Assert.Equal(expected, Encoding.ASCII.GetString(buf, 0, n));
    }

    [Fact]
    public void The_short_path_for_plain_decimals_writes_what_the_general_path_writes()
    {
        // Any finite non-zero double, and decimals around the thresholds where the forms change.
        var near = Gen.Select(Gen.Int[-9, 23], Gen.Double[1, 10], Gen.Bool).Select(t => (t.Item3 ? -1 : 1) * t.Item2 * Math.Pow(10, t.Item1));
        Gen.OneOf(Gen.Double, near).Where(v => double.IsFinite(v) && v != 0).Sample(v =>
        {
            var fast = new byte[PromJson.MaxFloatLength];
            var general = new byte[PromJson.MaxFloatLength];

            Assert.Equal(
                Encoding.ASCII.GetString(general, 0, PromJson.FormatFromDigits(v, general)),
                Encoding.ASCII.GetString(fast, 0, PromJson.FormatFloat(v, fast)));
        }, iter: 20_000);
    }

    [Fact]
    public void Stale_marker_formats_as_NaN()
    {
        var buf = new byte[PromJson.MaxFloatLength];

        Assert.Equal("NaN", Encoding.ASCII.GetString(buf, 0, PromJson.FormatFloat(PromQL.Engine.StaleMarker.Value, buf)));
    }

    [Theory]
    [InlineData(1435781451781, "1435781451.781")]
    [InlineData(1000, "1")]
    [InlineData(1500, "1.500")]
    [InlineData(1050, "1.050")]
    [InlineData(1005, "1.005")]
    [InlineData(5, "0.005")]
    [InlineData(0, "0")]
    [InlineData(-1500, "-1.500")]
    [InlineData(long.MinValue, "-9223372036854775.808")]
    public void Timestamps_format_as_seconds_with_millisecond_digits(long ms, string expected)
    {
        var buf = new byte[24];

        Assert.Equal(expected, Encoding.ASCII.GetString(buf, 0, PromJson.FormatTimestamp(ms, buf)));
    }
}
