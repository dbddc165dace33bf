#pragma once
// Umbrella header: the whole public C++ API.

#include <mcqgen/config.hpp>
#include <mcqgen/document.hpp>
#include <mcqgen/errors.hpp>
#include <mcqgen/generator.hpp>
#include <mcqgen/json.hpp>
#include <mcqgen/question.hpp>
#include <mcqgen/storage.hpp>
#include <mcqgen/version.hpp>
