#include "sim/sweep/constraint.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace systole {

struct Constraint::Node {
  enum class Kind { Number, Text, Name, Negate, Not, Binary } kind = Kind::Number;
  double number = 0;
  std::string text;  // Text's value, Name's name, Binary's operator
  std::unique_ptr<Node> left, right;
};

namespace {

using Node = Constraint::Node;

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}

  std::unique_ptr<Node> parse() {
    auto root = parse_or();
    skip_space();
    if (at_ < text_.size()) fail("unexpected '" + text_.substr(at_, 1) + "'");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw std::invalid_argument(problem + " at column " + std::to_string(at_ + 1));
  }
  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  // Takes `token` when it comes next (and is not the start of a longer one,
  // so "<" does not take the first half of "<=").
  bool take(const std::string& token) {
    skip_space();
    if (text_.compare(at_, token.size(), token) != 0) return false;
    const char after = at_ + token.size() < text_.size() ? text_[at_ + token.size()] : '\0';
    if ((token == "<" || token == ">" || token == "!") && after == '=') return false;
    at_ += token.size();
    return true;
  }
  static std::unique_ptr<Node> binary(std::string op, std::unique_ptr<Node> left, std::unique_ptr<Node> right) {
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::Binary;
    node->text = std::move(op);
    node->left = std::move(left);
    node->right = std::move(right);
    return node;
  }
  std::unique_ptr<Node> parse_or() {
    auto left = parse_and();
    while (take("||")) left = binary("||", std::move(left), parse_and());
    return left;
  }
  std::unique_ptr<Node> parse_and() {
    auto left = parse_not();
    while (take("&&")) left = binary("&&", std::move(left), parse_not());
    return left;
  }
  std::unique_ptr<Node> parse_not() {
    if (take("!")) {
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::Not;
      node->left = parse_not();
      return node;
    }
    auto left = parse_sum();
    for (const char* op : {"<=", ">=", "==", "!=", "<", ">"})
      if (take(op)) return binary(op, std::move(left), parse_sum());
    return left;
  }
  std::unique_ptr<Node> parse_sum() {
    auto left = parse_product();
    for (;;) {
      if (take("+")) left = binary("+", std::move(left), parse_product());
      else if (take("-")) left = binary("-", std::move(left), parse_product());
      else return left;
    }
  }
  std::unique_ptr<Node> parse_product() {
    auto left = parse_unary();
    for (;;) {
      if (take("*")) left = binary("*", std::move(left), parse_unary());
      else if (take("/")) left = binary("/", std::move(left), parse_unary());
      else if (take("%")) left = binary("%", std::move(left), parse_unary());
      else return left;
    }
  }
  std::unique_ptr<Node> parse_unary() {
    if (take("-")) {
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::Negate;
      node->left = parse_unary();
      return node;
    }
    if (take("(")) {
      auto inner = parse_or();
      if (!take(")")) fail("missing ')'");
      return inner;
    }
    skip_space();
    if (at_ >= text_.size()) fail("expression ends early");
    auto node = std::make_unique<Node>();
    const char c = text_[at_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const char* start = text_.c_str() + at_;
      char* end = nullptr;
      node->number = std::strtod(start, &end);
      if (end == start) fail("bad number");
      at_ += static_cast<std::size_t>(end - start);
      return node;
    }
    if (c == '\'' || c == '"') {
      const std::size_t close = text_.find(c, at_ + 1);
      if (close == std::string::npos) fail("unterminated text");
      node->kind = Node::Kind::Text;
      node->text = text_.substr(at_ + 1, close - at_ - 1);
      at_ = close + 1;
      return node;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const std::size_t start = at_;
      while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_' ||
                                    text_[at_] == '.'))
        ++at_;
      node->kind = Node::Kind::Name;
      node->text = text_.substr(start, at_ - start);
      return node;
    }
    fail("unexpected '" + std::string(1, c) + "'");
  }

  const std::string& text_;
  std::size_t at_ = 0;
};

double as_number(const ConstraintValue& value, const std::string& op) {
  if (const double* number = std::get_if<double>(&value)) return *number;
  throw std::invalid_argument("'" + std::get<std::string>(value) + "' is text, not a number, in '" + op + "'");
}

ConstraintValue evaluate(const Node& node, const ConstraintLookup& lookup) {
  switch (node.kind) {
    case Node::Kind::Number: return node.number;
    case Node::Kind::Text: return node.text;
    case Node::Kind::Name: {
      const std::optional<ConstraintValue> value = lookup(node.text);
      if (!value) throw std::invalid_argument("unknown name '" + node.text + "'");
      return *value;
    }
    case Node::Kind::Negate: return -as_number(evaluate(*node.left, lookup), "-");
    case Node::Kind::Not: return as_number(evaluate(*node.left, lookup), "!") == 0 ? 1.0 : 0.0;
    case Node::Kind::Binary: break;
  }
  const std::string& op = node.text;
  const ConstraintValue left = evaluate(*node.left, lookup);
  if (op == "&&" && as_number(left, op) == 0) return 0.0;
  if (op == "||" && as_number(left, op) != 0) return 1.0;
  const ConstraintValue right = evaluate(*node.right, lookup);
  if (op == "==" || op == "!=") {
    // A number read as text ("64") equals the number 64.
    bool equal;
    if (left.index() == right.index()) {
      equal = left == right;
    } else {
      const std::string& text = std::holds_alternative<std::string>(left) ? std::get<std::string>(left) : std::get<std::string>(right);
      const double number = std::holds_alternative<double>(left) ? std::get<double>(left) : std::get<double>(right);
      char* end = nullptr;
      const double parsed = std::strtod(text.c_str(), &end);
      equal = !text.empty() && *end == '\0' && parsed == number;
    }
    return (op == "==") == equal ? 1.0 : 0.0;
  }
  const double a = as_number(left, op), b = as_number(right, op);
  if (op == "&&" || op == "||") return b != 0 ? 1.0 : 0.0;
  if (op == "+") return a + b;
  if (op == "-") return a - b;
  if (op == "*") return a * b;
  if (op == "/" || op == "%") {
    if (b == 0) throw std::invalid_argument("division by zero");
    return op == "/" ? a / b : std::fmod(a, b);
  }
  if (op == "<") return a < b ? 1.0 : 0.0;
  if (op == "<=") return a <= b ? 1.0 : 0.0;
  if (op == ">") return a > b ? 1.0 : 0.0;
  return a >= b ? 1.0 : 0.0;
}

}  // namespace

Constraint::Constraint(const std::string& expression) : text_(expression) {
  Parser parser(text_);
  root_ = parser.parse();
}
Constraint::~Constraint() = default;
Constraint::Constraint(Constraint&&) noexcept = default;
Constraint& Constraint::operator=(Constraint&&) noexcept = default;

bool Constraint::holds(const ConstraintLookup& lookup) const {
  return as_number(evaluate(*root_, lookup), "the constraint") != 0;
}

}  // namespace systole
