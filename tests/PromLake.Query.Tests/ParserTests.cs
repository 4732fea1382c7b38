using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.Tests;

public sealed class ParserTests
{
    [Theory]
    [InlineData("-2 ^ 2", "-(2 ^ 2)")]
    [InlineData("2 ^ 3 ^ 2", "2 ^ (3 ^ 2)")]
    [InlineData("1 + 2 * 3", "1 + (2 * 3)")]
    [InlineData("a or b and c", "a or (b and c)")]
    public void Operators_bind_as_in_Prometheus(string query, string sameAs)
    {
        Assert.Equal(Normalize(Parser.ParseExpr(sameAs)), Normalize(Parser.ParseExpr(query)));
    }

    [Theory]
    [InlineData("0x1F", 31)]
    [InlineData("1_000", 1000)]
    [InlineData("1e3", 1000)]
    [InlineData(".5", 0.5)]
    [InlineData("1h30m", 5400)]
    [InlineData("-Inf", double.NegativeInfinity)]
    public void Number_literals_follow_Prometheus_3(string query, double expected)
    {
        var n = Assert.IsType<NumberLiteral>(Parser.ParseExpr(query));
        Assert.Equal(expected, n.Value);
    }

    [Fact]
    public void Selector_with_offset_and_at_round_trips()
    {
        var e = Parser.ParseExpr("rate(foo{a=~\"b.*\"}[5m] offset -1m @ 100)");
        Assert.Equal("rate(foo{a=~\"b.*\"}[5m] @ 100.000 offset -1m)", e.ToString());
    }

    [Theory]
    [InlineData("sum(foo", "1:8: parse error: unexpected end of input in aggregation \"sum\", expected \",\" or \")\"")]
    [InlineData("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("1 > 2", "1:1: parse error: comparisons between scalars must use BOOL modifier")]
    [InlineData("rate(foo)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector")]
    [InlineData("foo and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression")]
    public void Errors_name_the_position_and_the_problem(string query, string message)
    {
        var ex = Assert.Throws<ParseException>(() => Parser.ParseExpr(query));
        Assert.Equal(message, ex.Message);
    }

    private static string Normalize(Expr e) => e switch
    {
        ParenExpr p => Normalize(p.Inner),
        BinaryExpr b => "(" + Normalize(b.Lhs) + " " + BinaryExpr.OpText(b.Op) + " " + Normalize(b.Rhs) + ")",
        UnaryExpr u => "(-" + Normalize(u.Operand) + ")",
        NumberLiteral n when n.Value < 0 => "(-" + (-n.Value) + ")",
        _ => e.ToString()!,
    };
}
