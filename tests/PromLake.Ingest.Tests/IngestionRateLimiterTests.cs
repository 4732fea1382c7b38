using PromLake.Ingest.Limits;

namespace PromLake.Ingest.Tests;

public class IngestionRateLimiterTests
{
    [Fact]
    public void Admits_the_burst_then_refuses_with_the_time_until_enough_tokens()
    {
        var limiter = new IngestionRateLimiter(ratePerSecond: 100, burst: 1000);

        Assert.True(limiter.TryAcquire(1000, out _));
        Assert.False(limiter.TryAcquire(500, out var retryAfter));
        Assert.InRange(retryAfter.TotalSeconds, 4, 5.01);
    }

    [Fact]
    public void A_request_larger_than_the_burst_is_admitted_when_the_bucket_is_full()
    {
        var limiter = new IngestionRateLimiter(ratePerSecond: 10, burst: 100);

        Assert.True(limiter.TryAcquire(5000, out _));
        Assert.False(limiter.TryAcquire(1, out _));
    }
}
