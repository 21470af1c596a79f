// The discrete-event core: a queue of callbacks ordered by (virtual time,
// insertion sequence) and the virtual clock it drives. Nothing here sleeps or
// reads a real clock; time jumps from one event to the next.
#ifndef ECSIM_SIM_BASE_EVENT_LOOP_H_
#define ECSIM_SIM_BASE_EVENT_LOOP_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <set>
#include <vector>

#include "sim/base/time.h"

namespace sim {

using EventId = uint64_t;

class EventQueue {
 public:
  using Callback = std::function<void()>;

  // Events at the same time run in the order they were scheduled. A
  // background event runs like any other but does not by itself keep a run
  // going (e.g. a message's 4-day retention timer).
  EventId Push(Time at, Callback fn, bool background = false);
  // Returns false if the event already ran or was cancelled.
  bool Cancel(EventId id);
  bool Empty() const { return live_ == 0; }
  // True when only background events (or none) are left.
  bool OnlyBackground() const { return live_ == live_background_; }
  size_t Size() const { return live_; }
  // Time of the earliest live event. REQUIRES: !Empty().
  Time PeekTime();
  // Removes and returns the earliest live event. REQUIRES: !Empty().
  std::pair<Time, Callback> Pop();

 private:
  struct Entry {
    Time at;
    EventId seq;
    // Ordered as a min-heap on (at, seq).
    bool operator<(const Entry& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  void DropCancelled();

  std::priority_queue<Entry> heap_;
  std::vector<Callback> callbacks_;  // indexed by seq; empty once run or cancelled
  std::vector<bool> pending_;
  std::vector<bool> background_;
  size_t live_ = 0;
  size_t live_background_ = 0;
};

class EventLoop {
 public:
  Time Now() const { return now_; }
  // REQUIRES: at >= Now().
  EventId At(Time at, EventQueue::Callback fn);
  EventId After(Duration d, EventQueue::Callback fn) { return At(now_ + d, std::move(fn)); }
  // An event that does not keep the run alive on its own (see EventQueue::Push).
  EventId AtBackground(Time at, EventQueue::Callback fn);
  // Nothing but background events left: a run that ends "when idle" ends now.
  bool IdleExceptBackground() const { return queue_.OnlyBackground(); }
  bool Cancel(EventId id) { return queue_.Cancel(id); }
  bool Idle() const { return queue_.Empty(); }
  std::optional<Time> NextTime();
  // Advances the clock to the next event and runs it. Returns false if idle.
  bool Step();
  // Runs every event due at or before `limit`, then sets the clock to `limit`.
  void RunUntil(Time limit);
  uint64_t executed() const { return executed_; }

 private:
  EventQueue queue_;
  Time now_ = kTimeZero;
  uint64_t executed_ = 0;
};

}  // namespace sim

#endif  // ECSIM_SIM_BASE_EVENT_LOOP_H_
