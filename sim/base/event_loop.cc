#include "sim/base/event_loop.h"

#include <stdexcept>

namespace sim {

EventId EventQueue::Push(Time at, Callback fn, bool background) {
  EventId id = callbacks_.size();
  callbacks_.push_back(std::move(fn));
  pending_.push_back(true);
  background_.push_back(background);
  heap_.push({at, id});
  ++live_;
  if (background) ++live_background_;
  return id;
}

bool EventQueue::Cancel(EventId id) {
  if (id >= pending_.size() || !pending_[id]) return false;
  pending_[id] = false;
  callbacks_[id] = nullptr;
  --live_;
  if (background_[id]) --live_background_;
  return true;
}

void EventQueue::DropCancelled() {
  while (!heap_.empty() && !pending_[heap_.top().seq]) heap_.pop();
}

Time EventQueue::PeekTime() {
  DropCancelled();
  return heap_.top().at;
}

std::pair<Time, EventQueue::Callback> EventQueue::Pop() {
  DropCancelled();
  Entry e = heap_.top();
  heap_.pop();
  pending_[e.seq] = false;
  --live_;
  if (background_[e.seq]) --live_background_;
  return {e.at, std::move(callbacks_[e.seq])};
}

EventId EventLoop::At(Time at, EventQueue::Callback fn) {
  if (at < now_) throw std::logic_error("event scheduled in the past");
  return queue_.Push(at, std::move(fn));
}

EventId EventLoop::AtBackground(Time at, EventQueue::Callback fn) {
  if (at < now_) throw std::logic_error("event scheduled in the past");
  return queue_.Push(at, std::move(fn), true);
}

std::optional<Time> EventLoop::NextTime() {
  if (queue_.Empty()) return std::nullopt;
  return queue_.PeekTime();
}

bool EventLoop::Step() {
  if (queue_.Empty()) return false;
  auto [at, fn] = queue_.Pop();
  now_ = at;
  ++executed_;
  fn();
  return true;
}

void EventLoop::RunUntil(Time limit) {
  while (!queue_.Empty() && queue_.PeekTime() <= limit) Step();
  if (now_ < limit) now_ = limit;
}

}  // namespace sim
