using System.Diagnostics;

namespace PromLake.Ingest.Limits;

/// <summary>
/// A token bucket per tenant: <see cref="TenantLimits.IngestionRate"/> tokens a
/// second up to <see cref="TenantLimits.IngestionBurstSize"/>, one token per
/// sample or histogram. A request larger than the burst is admitted when the
/// bucket is full and leaves it in debt, so no request size is refused forever.
/// </summary>
public sealed class IngestionRateLimiter
{
    private readonly double _rate;
    private readonly double _burst;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _updatedAt;

    public IngestionRateLimiter(double ratePerSecond, int burst)
    {
        _rate = ratePerSecond;
        _burst = burst;
        _tokens = burst;
        _updatedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>Takes <paramref name="count"/> tokens, or says how long until it could.</summary>
    public bool TryAcquire(int count, out TimeSpan retryAfter)
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (Stopwatch.GetElapsedTime(_updatedAt, now).TotalSeconds * _rate));
            _updatedAt = now;
            var needed = Math.Min(count, _burst);
            if (_tokens >= needed)
            {
                _tokens -= count;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((needed - _tokens) / _rate);
            return false;
        }
    }
}
